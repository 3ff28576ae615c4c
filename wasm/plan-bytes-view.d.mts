/** Types of plan-bytes-view.mjs. */
export function planBytesView(js: string): string;
