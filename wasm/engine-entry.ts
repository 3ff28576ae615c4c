/**
 * The engine functions the core exposes (engine/index.ts), in one place so the component and
 * the V8 bundle are guaranteed to wrap the same code.
 * Must not depend on: Node, host modules.
 */
export { planOut, render, listPackages } from '../engine/index';
