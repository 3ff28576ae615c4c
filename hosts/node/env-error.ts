/**
 * EnvironmentError and its helpers for the Node host: the definitions live in
 * hosts/common/env-error.ts, which the Linux sandbox host shares.
 *
 * Must not depend on: anything but hosts/common.
 */
export { EnvironmentError, missingTool, ENVIRONMENT_CODES, isEnvironmentFailure } from '../common';
