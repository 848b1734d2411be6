// koffi's type declarations are ESM-only while this package compiles to CommonJS: take the
// types from the ESM entry and the value from require() (koffi's CommonJS build).
import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi: typeof Koffi = require('koffi');
export default koffi;

export type TypeObject = Koffi.TypeObject;
export type LibraryHandle = Koffi.LibraryHandle;
export type KoffiFunction = ReturnType<LibraryHandle['func']>;
