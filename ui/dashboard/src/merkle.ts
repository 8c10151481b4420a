// Checking an inclusion proof as RFC 9162 §2.1.3.2 says, with the browser's SHA-256:
// a node is SHA-256(0x01 ‖ left ‖ right); the proof's path leads from the leaf's hash
// to the root of the tree of `treeSize` leaves, or it does not.

function bytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const joined = new Uint8Array(1 + left.length + right.length);
  joined[0] = 1;
  joined.set(left, 1);
  joined.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

/** Whether `path` proves leaf `index` (0-based) in the tree of `treeSize` whose root is `root`. */
export async function verifyInclusion(index: number, treeSize: number, leafHash: string, path: string[], root: string): Promise<boolean> {
  if (index < 0 || index >= treeSize) return false;
  let fn = index, sn = treeSize - 1;
  let r = bytes(leafHash);
  for (const step of path) {
    if (sn === 0) return false;
    const p = bytes(step);
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && hex(r.buffer as ArrayBuffer) === root.toLowerCase();
}
