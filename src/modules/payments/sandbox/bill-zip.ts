// The ZIP Alipay's bill_download_url serves: DEFLATE entries whose names are GBK bytes with the UTF-8
// flag (bit 11) unset, as Alipay's Windows-era tooling writes them. fflate would write UTF-8 names
// with the flag set, which is not what a real importer meets; the container is small enough to write.
import { crc32, deflateRawSync } from 'node:zlib';
import iconv from 'iconv-lite';

interface Entry {
  readonly name: Buffer;
  readonly crc: number;
  readonly size: number;
  readonly data: Buffer;
  readonly offset: number;
}

// MS-DOS date and time of the entries, Beijing wall clock as Alipay's servers write it.
function dosDateTime(at: Date): { time: number; date: number } {
  const local = new Date(at.getTime() + 8 * 3600 * 1000);
  const time = (local.getUTCHours() << 11) | (local.getUTCMinutes() << 5) | Math.floor(local.getUTCSeconds() / 2);
  const date = ((local.getUTCFullYear() - 1980) << 9) | ((local.getUTCMonth() + 1) << 5) | local.getUTCDate();
  return { time, date };
}

/** A ZIP of GBK-named, GBK-encoded text files. */
export function gbkZip(files: readonly { readonly name: string; readonly text: string }[], at: Date): Buffer {
  const { time, date } = dosDateTime(at);
  const parts: Buffer[] = [];
  const entries: Entry[] = [];
  let offset = 0;
  for (const file of files) {
    const content = iconv.encode(file.text, 'gbk');
    const name = iconv.encode(file.name, 'gbk');
    const data = deflateRawSync(content);
    const entry = { name, crc: crc32(content) >>> 0, size: content.length, data, offset };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0, 6); // flags: no UTF-8 names, no data descriptor
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(content.length, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    parts.push(header, name, data);
    offset += header.length + name.length + data.length;
    entries.push(entry);
  }
  const directoryStart = offset;
  for (const entry of entries) {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // made by
    header.writeUInt16LE(20, 6); // needed
    header.writeUInt16LE(0, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(entry.data.length, 20);
    header.writeUInt32LE(entry.size, 24);
    header.writeUInt16LE(entry.name.length, 28);
    header.writeUInt32LE(entry.offset, 42);
    parts.push(header, entry.name);
    offset += header.length + entry.name.length;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(offset - directoryStart, 12);
  end.writeUInt32LE(directoryStart, 16);
  parts.push(end);
  return Buffer.concat(parts);
}
