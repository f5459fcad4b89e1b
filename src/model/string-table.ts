/**
 * Interns strings (file names, function names, module names, messages) to small integer ids,
 * so that events refer to names by number and each distinct name is stored once.
 */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [];

  /** The id of `value`, adding it when new. */
  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  get(id: number): string {
    const value = this.values[id];
    if (value === undefined) throw new RangeError(`no string with id ${id}`);
    return value;
  }

  /** The strings with ids from `first` on, in id order. */
  valuesFrom(first: number): string[] {
    return this.values.slice(first);
  }

  get size(): number {
    return this.values.length;
  }
}
