/** Minimal IPv4 CIDR arithmetic for config validation and subnet planning. */
export interface Cidr {
  readonly network: number;
  readonly prefixLength: number;
  /** True when no host bits are set. */
  readonly aligned: boolean;
  /** The block with host bits cleared, e.g. "10.20.0.0/16". */
  readonly networkCidr: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((shift) => (ip >>> shift) & 255).join('.');
}

function mask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = IPV4.exec(text ?? '');
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) return undefined;
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (ip & mask(prefixLength)) >>> 0;
  return { network, prefixLength, aligned: network === ip, networkCidr: `${ipToString(network)}/${prefixLength}` };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  return ((a.network & mask(shorter)) >>> 0) === ((b.network & mask(shorter)) >>> 0);
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c) as Cidr);

export function isPrivateCidr(c: Cidr): boolean {
  return PRIVATE.some((p) => c.prefixLength >= p.prefixLength && cidrsOverlap(p, c));
}

/**
 * Splits a VPC block into `count` equal subnets of `newBits` more prefix bits, in order.
 * Used to carve the private subnets deterministically from the configured VPC CIDR.
 */
export function subnetCidrs(vpcCidr: string, newBits: number, count: number): string[] {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`not a CIDR block: ${vpcCidr}`);
  const length = vpc.prefixLength + newBits;
  if (count > 2 ** newBits) throw new Error(`${vpcCidr} cannot hold ${count} /${length} subnets`);
  const size = 2 ** (32 - length);
  return Array.from({ length: count }, (_, i) => `${ipToString((vpc.network + i * size) >>> 0)}/${length}`);
}
