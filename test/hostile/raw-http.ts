import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TestService } from '../helpers/services.js';

/** Opens a port for a test service; returns it. */
export async function listen(svc: TestService): Promise<number> {
  await svc.app.listen({ port: 0, host: '127.0.0.1' });
  return (svc.app.server.address() as AddressInfo).port;
}

export interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** Whether the server ended the connection (false: the wait ran out). */
  ended: boolean;
}

/**
 * Writes `text` (and then nothing more) to a fresh connection and resolves with what came back
 * once the server closes it, or once `untilMs` passes (status 0 when nothing came).
 */
export function rawRequest(port: number, text: string | Buffer, untilMs = 20_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    let ended = false;
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const [head = '', body = ''] = out.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head.toLowerCase(), body, ended });
    };
    const timer = setTimeout(done, untilMs);
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', () => {
      ended = true;
      done();
    });
    sock.on('error', () => undefined);
    sock.write(text);
  });
}

/** Waits until `check` holds (polling; the test's own timeout bounds it). */
export async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}
