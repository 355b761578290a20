/** Listeners called in turn and awaited; what one throws is swallowed, so none fails the caller. */
export class Listeners<T> {
  private readonly list: ((value: T) => void | Promise<void>)[] = [];

  add(listener: (value: T) => void | Promise<void>): () => void {
    this.list.push(listener);
    return () => {
      const index = this.list.indexOf(listener);
      if (index >= 0) this.list.splice(index, 1);
    };
  }

  async notify(value: T): Promise<void> {
    for (const listener of [...this.list]) {
      try {
        await listener(value);
      } catch {
        // Listeners report their own failures; a change that is saved stays saved.
      }
    }
  }
}
