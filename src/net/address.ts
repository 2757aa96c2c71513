/**
 * Which hosts are not on the public internet: loopback, private, link-local (cloud metadata),
 * unspecified and reserved addresses, and names that only resolve inside a network. Pure; works
 * on the host as `new URL()` gives it, which has already turned every numeric IPv4 spelling
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) into dotted decimal and compressed IPv6.
 * @module
 */

/** Why a host is not public, in words an error message can use. */
export type PrivateHostKind =
  | "a loopback address"
  | "an unspecified address"
  | "a private network address"
  | "a link-local address (this includes cloud metadata services)"
  | "a reserved or multicast address"
  | "a name that only resolves inside a private network";

/** IPv4 ranges that are not public, as [first octets, prefix length, kind]. */
const IPV4_RANGES: ReadonlyArray<readonly [number, number, PrivateHostKind]> = [
  [ip4(0, 0, 0, 0), 8, "an unspecified address"],
  [ip4(10, 0, 0, 0), 8, "a private network address"],
  [ip4(100, 64, 0, 0), 10, "a private network address"], // carrier-grade NAT, Alibaba metadata
  [ip4(127, 0, 0, 0), 8, "a loopback address"],
  [ip4(169, 254, 0, 0), 16, "a link-local address (this includes cloud metadata services)"],
  [ip4(172, 16, 0, 0), 12, "a private network address"],
  [ip4(192, 0, 0, 0), 24, "a reserved or multicast address"], // IETF protocol assignments
  [ip4(192, 168, 0, 0), 16, "a private network address"],
  [ip4(198, 18, 0, 0), 15, "a reserved or multicast address"], // benchmarking
  [ip4(224, 0, 0, 0), 3, "a reserved or multicast address"], // multicast, reserved, broadcast
];

/**
 * Names that never resolve on the public internet: `localhost` and anything under it, the
 * private-use suffixes, and the cloud metadata names (single-label names such as `metadata`
 * are refused as a class below).
 */
const PRIVATE_NAME_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".intranet", ".lan"];
/** Public-looking names that resolve to a metadata service inside a cloud (GCP). */
const METADATA_NAMES = new Set(["metadata.goog"]);

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function ipv4Kind(value: number): PrivateHostKind | null {
  for (const [base, bits, kind] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === base) return kind;
  }
  return null;
}

/** A dotted-decimal IPv4 address as a number, or null. */
function parseIpv4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  return ip4(a, b, c, d);
}

/** An IPv6 address (without brackets) as its eight 16-bit groups, or null. */
function parseIpv6(host: string): number[] | null {
  let text = host;
  // A trailing dotted IPv4 (`::ffff:1.2.3.4`) becomes two groups; the URL parser already does
  // this, but the check must not depend on it.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (v4 === null) return null;
    text = `${text.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const all = [...head, ...Array<string>(fill).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16));
}

function ipv6Kind(g: number[]): PrivateHostKind | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = ((g6 << 16) | g7) >>> 0;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 0) return "an unspecified address";
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 1) return "a loopback address";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
  // addresses reach the IPv4 address they carry.
  if (zeroPrefix && (g5 === 0xffff || g5 === 0)) return ipv4Kind(embedded);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4Kind(embedded);
  // 6to4 (2002:aabb:ccdd::) carries its IPv4 address in the second and third groups.
  if (g0 === 0x2002) return ipv4Kind(((g1 << 16) | g2) >>> 0);
  if ((g0 & 0xfe00) === 0xfc00) return "a private network address"; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address (this includes cloud metadata services)";
  if ((g0 & 0xffc0) === 0xfec0) return "a private network address"; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return "a reserved or multicast address";
  return null;
}

/**
 * Why `hostname` (as `URL.hostname` gives it: lower case, IPv6 in brackets) is not a public
 * host, or null when it is one.
 */
export function privateHostKind(hostname: string): PrivateHostKind | null {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIpv6(host.slice(1, -1));
    return groups ? ipv6Kind(groups) : "a reserved or multicast address";
  }
  const v4 = parseIpv4(host);
  if (v4 !== null) return ipv4Kind(v4);
  if (host === "localhost" || host.endsWith(".localhost")) return "a loopback address";
  if (METADATA_NAMES.has(host)) return "a link-local address (this includes cloud metadata services)";
  if (!host.includes(".") || PRIVATE_NAME_SUFFIXES.some((s) => host.endsWith(s))) {
    return "a name that only resolves inside a private network";
  }
  return null;
}
