import dns from 'node:dns';
import net from 'node:net';

/**
 * Refuses outbound requests (webhooks) to addresses inside the deployment: loopback, private,
 * carrier-grade NAT, link-local (cloud metadata lives at 169.254.169.254), multicast, reserved,
 * and the IPv6 forms of all of these. The check runs on the resolved addresses at connect time
 * (a `lookup` for http.request), so a name that resolves to a public address when checked and a
 * private one when connecting (DNS rebinding) is still refused.
 */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
];

const blocked = new net.BlockList();
for (const [a, p] of BLOCKED_V4) blocked.addSubnet(a, p, 'ipv4');
for (const [a, p] of BLOCKED_V6) blocked.addSubnet(a, p, 'ipv6');

/** Whether an IP address (v4 or v6) is internal. Anything unparsable counts as internal. */
export function isInternalAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedV4(address);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(address, 'ipv6');
}

/** The IPv4 address inside a v4-mapped (::ffff:a.b.c.d), v4-compatible, NAT64 or 6to4 address. */
function embeddedV4(address: string): string | undefined {
  const groups = expandV6(address.toLowerCase());
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6], groups[7]); // ::ffff:a.b.c.d
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7] > 1)) return v4(groups[6], groups[7]); // ::a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6], groups[7]); // NAT64
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]); // 6to4
  return undefined;
}

function expandV6(address: string): number[] | undefined {
  let text = address.split('%')[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const r = part(rest);
  const fill = text.includes('::') ? 8 - h.length - r.length : 0;
  const groups = [...h, ...Array<number>(Math.max(0, fill)).fill(0), ...r];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

export class BlockedAddressError extends Error {
  readonly code = 'WEBHOOK_ADDRESS_BLOCKED';
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * How long a webhook host may take to resolve at submit before the upload is answered, and how
 * many look-ups may be pending at once (in any process's webhook code). `dns.lookup` runs
 * getaddrinfo on libuv's thread pool (4 threads, shared with every file read and write) and has
 * no timeout of its own: a host whose name servers never answer held the upload (its slot, its
 * temp file) for the resolver's own timeouts, and a few such uploads at once held every pool
 * thread, so that no file of any job could be read or written meanwhile. A look-up that runs
 * past the timeout is abandoned (the thread stays busy until the resolver gives up); while
 * MAX_PENDING_LOOKUPS are pending a new one is refused at once, which keeps pool threads for
 * the files.
 */
export const LOOKUP_TIMEOUT_MS = 5000;
export const MAX_PENDING_LOOKUPS = 2;
let pendingLookups = 0;

/** The resolver is slow (a look-up timed out) or busy (too many pending): try again later. */
export class LookupBusyError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** `dns.lookup` (all addresses) bounded by LOOKUP_TIMEOUT_MS and MAX_PENDING_LOOKUPS. */
function boundedLookup(hostname: string, options: dns.LookupOptions): Promise<dns.LookupAddress[]> {
  if (pendingLookups >= MAX_PENDING_LOOKUPS)
    return Promise.reject(new LookupBusyError(`${pendingLookups} host look-ups are pending`, false));
  let started: Promise<dns.LookupAddress[]>;
  try {
    started = dns.promises.lookup(hostname, { ...options, all: true });
  } catch (err) {
    return Promise.reject(err as Error);
  }
  pendingLookups++;
  const lookup = started.finally(() => pendingLookups--);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LookupBusyError(`${hostname} did not resolve within ${LOOKUP_TIMEOUT_MS} ms`, true)),
      LOOKUP_TIMEOUT_MS,
    );
    timer.unref();
  });
  lookup.catch(() => undefined);
  return Promise.race([lookup, timeout]).finally(() => clearTimeout(timer));
}

/** A `lookup` for http.request that resolves the name and refuses internal addresses. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    boundedLookup(hostname, options).then(
      (list) => {
        const bad = list.find((a) => isInternalAddress(a.address));
        if (!allowPrivate && bad) {
          return callback(
            new BlockedAddressError(`${hostname} resolves to an internal address (${bad.address})`),
            [],
          );
        }
        if (options.all) return callback(null, list);
        const first = list[0];
        if (!first) return callback(new Error(`${hostname} has no address`), []);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

/** Resolve a host name now and refuse it if any address is internal (the early, friendly check). */
export async function checkHostIsPublic(hostname: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [{ address: host }] : await boundedLookup(host, { verbatim: true });
  const bad = addresses.find((a) => isInternalAddress(a.address));
  if (bad) throw new BlockedAddressError(`${hostname} resolves to an internal address (${bad.address})`);
}
