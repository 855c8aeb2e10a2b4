// What `up` started, stopped in reverse order by close().
export type Stop = () => Promise<void> | void;

export class Stops {
  private readonly stops: Stop[] = [];

  push(stop: Stop): void {
    this.stops.push(stop);
  }

  async closeAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
