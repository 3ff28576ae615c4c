/** Types of unsigned-pointers.mjs (the build script is plain JavaScript run by Node). */
export function unsignedPointers(js: string, hasImports?: boolean): string;
