// Both channels speak Beijing time on the wire (Alipay `yyyy-MM-dd HH:mm:ss`, WeChat Pay RFC 3339
// with +08:00). China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact
// and avoids depending on the host's time-zone database.
const OFFSET_MS = 8 * 60 * 60 * 1000;

function shanghaiParts(at: Date): { date: string; time: string } {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
  const iso = new Date(at.getTime() + OFFSET_MS).toISOString(); // yyyy-MM-ddTHH:mm:ss.sssZ
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as Alipay's `timestamp` and `gmt_*` fields. */
export function formatShanghaiDateTime(at: Date): string {
  const { date, time } = shanghaiParts(at);
  return `${date} ${time}`;
}

/** RFC 3339 with +08:00, as WeChat Pay's `create_time`, `success_time`, `time_expire`. */
export function formatShanghaiRfc3339(at: Date): string {
  const { date, time } = shanghaiParts(at);
  return `${date}T${time}+08:00`;
}

/** Reads `yyyy-MM-dd HH:mm:ss` as Asia/Shanghai time; undefined for anything else (incl. Feb 30). */
export function parseShanghaiDateTime(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const at = new Date(Date.parse(`${text.replace(' ', 'T')}Z`) - OFFSET_MS);
  // Date.parse rolls some impossible dates over; formatting back catches them.
  return !Number.isNaN(at.getTime()) && formatShanghaiDateTime(at) === text ? at : undefined;
}
