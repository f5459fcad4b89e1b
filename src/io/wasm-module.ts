import { readFileSync } from 'node:fs';

/** The WebAssembly modules `npm run build:wasm` makes (src/wasm/NAME.ts to dist/src/wasm/NAME.wasm). */
export type WasmName = 'fast-lines' | 'event-text' | 'csv-rows';

const compiled = new Map<WasmName, WebAssembly.Module | null>();

/**
 * A WebAssembly module, compiled once; null where it cannot be had (the file is missing) or
 * PYFLAME_WASM=0 says to use JavaScript instead (same output, slower). Found from this file's
 * own place, one folder under dist/src/, as from the CLI bundle's (dist/src/cli-bundle/, see
 * scripts/bundle-cli.mjs): ../wasm/ either way.
 */
export function wasmModule(name: WasmName): WebAssembly.Module | null {
  let module = compiled.get(name);
  if (module === undefined) {
    try {
      module =
        process.env.PYFLAME_WASM === '0'
          ? null
          : new WebAssembly.Module(readFileSync(new URL(`../wasm/${name}.wasm`, import.meta.url)));
    } catch {
      module = null;
    }
    compiled.set(name, module);
  }
  return module;
}
