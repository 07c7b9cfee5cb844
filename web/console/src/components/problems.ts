import { ApiError } from '../api.js';
import { currentLocale, isMessageKey, translate } from '../i18n.js';

/** A problem's title in the console's language when we know its code, else as the server wrote it. */
export function problemTitle(error: ApiError): string {
  const key = `problem.${error.code}`;
  return isMessageKey(key) ? translate(currentLocale(), key) : error.title;
}

/** What to tell a person about a failed call: the problem's title and detail. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const title = problemTitle(error);
    return error.detail ? `${title}: ${error.detail}` : title;
  }
  return error instanceof Error ? error.message : String(error);
}
