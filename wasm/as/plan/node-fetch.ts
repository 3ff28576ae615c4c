/**
 * Fetch nodes (engine/plan/fetch.ts): the file a download is stored as, the node of one source
 * item (its id the store id of {file, sha256}), a second sighting's URLs united, and the node's
 * canonical JSON as the plan writes it.
 *
 * Must not depend on: abi/, build nodes (node.ts).
 */
import { IxErr } from '../errors';
import { StrBuilder, writeStr, storeIdOfBuilder } from '../hash/index';
import { FetchItem } from './descriptor';
import { PNode } from './instance';
import { storeName } from './names';
import { err, isHexN, isLT } from './node-check';

const fb = new StrBuilder(1 << 10);

/** The file name a download is stored as (fetch.ts fetchFileName). */
export function fetchFileName(item: FetchItem): string {
  const nm = item.name;
  if (nm !== null && nm.length > 0) return nm;
  const url = item.url;
  // /^apt:([^=/]+)=([^/]+)\/(.+)$/
  if (url.startsWith('apt:')) {
    let i = 4;
    while (i < url.length && url.charCodeAt(i) != 61 && url.charCodeAt(i) != 47) i++;
    if (i > 4 && i < url.length && url.charCodeAt(i) == 61) {
      const a = url.substring(4, i);
      let j = i + 1;
      while (j < url.length && url.charCodeAt(j) != 47) j++;
      if (j > i + 1 && j < url.length && j + 1 < url.length) {
        let ok = true;
        for (let k = j + 1; k < url.length; k++) if (isLT(url.charCodeAt(k))) ok = false;
        if (ok) return a + '_' + url.substring(i + 1, j).replaceAll(':', '%3a') + '_' + url.substring(j + 1) + '.deb';
      }
    }
  }
  // url.replace(/[?#].*$/, ''): the first ? or # with no line terminator after it
  let lastLT = -1;
  for (let k = 0; k < url.length; k++) if (isLT(url.charCodeAt(k))) lastLT = k;
  let cut = url.length;
  for (let k = lastLT + 1; k < url.length; k++) {
    const c = url.charCodeAt(k);
    if (c == 63 || c == 35) {
      cut = k;
      break;
    }
  }
  const path = url.substring(0, cut);
  return path.substring(path.lastIndexOf('/') + 1);
}

/** The fetch node of one source item, or null with `errOut[0]` set. */
export function fetchNode(item: FetchItem, pkg: string, errOut: Array<IxErr>): PNode | null {
  const file = fetchFileName(item);
  let sha = item.sha256;
  if (sha.startsWith('sha256:')) sha = sha.substring(7);
  else if (sha.startsWith('sha:')) sha = sha.substring(4);
  sha = sha.toLowerCase();
  if (!isHexN(sha, 64, false)) {
    errOut.push(err('source ' + item.url + ": sha256 must be 64 hex digits, got '" + item.sha256 + "'", pkg));
    return null;
  }
  if (file == '' || file == '.' || file == '..' || file.indexOf('/') >= 0 || file.indexOf('\0') >= 0) {
    errOut.push(err('source ' + item.url + ': cannot derive a file name (give the item a "name")', pkg));
    return null;
  }
  fb.clear();
  fb.str('{"file":');
  writeStr(fb, file);
  fb.str(',"sha256":');
  writeStr(fb, sha);
  fb.ch(125);
  const id = storeIdOfBuilder(fb, 0);
  const n = new PNode();
  n.id = id;
  n.storeName = storeName('fetch/' + file, 'src');
  n.out = '/ix/store/' + id + '-' + n.storeName;
  n.fetchUrls = [item.url];
  n.fetchSha = sha;
  n.fetchFile = file;
  return n;
}

function cmp(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A second sighting of the same source: URLs united, sorted. */
export function mergeFetch(a: PNode, b: PNode): void {
  const urls = a.fetchUrls!;
  const bu = b.fetchUrls!;
  for (let i = 0; i < bu.length; i++) if (!urls.includes(bu[i])) urls.push(bu[i]);
  urls.sort(cmp);
}

/** The canonical JSON of a fetch node. */
export function fetchJson(n: PNode): string {
  fb.clear();
  fb.str('{"deps":[],"fetch":{"file":');
  writeStr(fb, n.fetchFile);
  fb.str(',"sha256":');
  writeStr(fb, n.fetchSha);
  fb.str(',"urls":[');
  const u = n.fetchUrls!;
  for (let i = 0; i < u.length; i++) {
    if (i > 0) fb.ch(44);
    writeStr(fb, u[i]);
  }
  fb.str(']},"flags":{},"id":');
  writeStr(fb, n.id);
  fb.str(',"libDeps":[],"libs":[],"name":');
  writeStr(fb, 'fetch:' + n.fetchFile);
  fb.str(',"net":true,"out":');
  writeStr(fb, n.out);
  fb.str(',"pool":"net","runDeps":[],"storeName":');
  writeStr(fb, n.storeName);
  fb.ch(125);
  return fb.toString();
}
