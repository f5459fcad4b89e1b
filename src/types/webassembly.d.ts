// The part of the WebAssembly JS API pyflame uses (Node has it; its types live in lib.dom).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  type ImportValue = ((...args: number[]) => number | void) | Memory;
  type Imports = Record<string, Record<string, ImportValue>>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
