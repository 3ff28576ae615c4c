/** Filters and tests under one import (the test entry's). */
export { filter } from './filters';
export { test } from './tests';
