/** Types of scripts/build-web.mjs (for the tests that build the page). */
export interface WasmManifest {
  version: string;
  builds: { flavor: 'simd' | 'plain'; js: string; wasm: string }[];
}
/** The tfjs-tflite WASM builds the page can use (SIMD first), or undefined when the package is not installed. */
export function tfliteWasmFiles(): { dir: string; manifest: WasmManifest } | undefined;
/** Builds the page into `outdir` (default dist/web/); `site` also copies the suite documents and the TFLite runtime in. */
export function buildWeb(opts?: { outdir?: string; site?: boolean }): Promise<Record<string, number>>;
/** The suite's case documents, read from golden/ and conformance/negative/ now, as a plain ES module's text. */
export function suiteDocumentsModule(): string;
