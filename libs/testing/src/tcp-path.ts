import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP path from a process under test to a server (Redis, PostgreSQL) that the test controls:
 * `held`, what the process writes is dropped while replies still flow (commands still in a killed
 * process's buffers never reach the server); `cut()`, every connection is closed and new ones are
 * closed as they come (the server restarting or out of reach) until `restore()`.
 */
export class TcpPath {
  held = false;
  private isCut = false;
  private readonly pairs = new Set<[Socket, Socket]>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async open(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpPath> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const path = new TcpPath(server, (server.address() as AddressInfo).port);
    server.on('connection', (down: Socket) => {
      if (path.isCut) return void down.destroy();
      const up = connect(targetPort, targetHost);
      const pair: [Socket, Socket] = [down, up];
      path.pairs.add(pair);
      down.on('data', (d) => path.held || up.write(d));
      up.on('data', (d) => down.write(d));
      const end = () => (down.destroy(), up.destroy(), path.pairs.delete(pair));
      for (const s of pair) s.on('close', end).on('error', end);
    });
    return path;
  }

  cut(): void {
    this.isCut = true;
    for (const pair of this.pairs) for (const s of pair) s.destroy();
  }

  restore(): void {
    this.isCut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
