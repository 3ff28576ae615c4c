/**
 * hash-wasm's BLAKE3 alone, for digest.ts to import dynamically: importing the package's whole
 * namespace made the bundler keep every hash-wasm algorithm (~250 kB of JavaScript that each
 * `ix` command compiled); a named re-export lets it drop the rest.
 *
 * Must not depend on: anything but hash-wasm.
 */
export { createBLAKE3 } from 'hash-wasm';
