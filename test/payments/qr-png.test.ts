// The printable store QR as PNG: decoded back (pngjs), the code read (jsQR) and the text area under
// it checked for ink — the server has no Chinese font, so this proves the outlines carry the text.
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderQrPng, renderQrSvg } from '../../src/modules/payments/store-qr.js';
import { startTestApp, type TestApp } from '../support/app.js';

// jsqr is CommonJS with an `export default` in its types: the function is the module or its default.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await startTestApp();
  cookie = await t.login('owner');
});
afterAll(() => t.close());

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  return { width: Number(match![1]), height: Number(match![2]) };
}

/** Share of dark pixels in rows [top, bottom). */
function inkBetween(png: PNG, top: number, bottom: number): number {
  let dark = 0;
  for (let y = top; y < bottom; y += 1) {
    for (let x = 0; x < png.width; x += 1) {
      const i = (y * png.width + x) * 4;
      if (png.data[i]! < 128 && png.data[i + 1]! < 128 && png.data[i + 2]! < 128) dark += 1;
    }
  }
  return dark / ((bottom - top) * png.width);
}

describe('printable QR PNG', () => {
  it('is the SVG card at twice its size, with a readable code and the store name and desk under it', async () => {
    const created = await t.app.inject({ method: 'POST', url: `/v1/stores/${t.demo.storeIds[0]}/qr-codes`, headers: { cookie }, payload: { desk: '2号收银台' } });
    expect(created.statusCode, created.body).toBe(201);
    const qr = created.json() as { id: string; url: string };
    const [svgResponse, pngResponse] = await Promise.all([
      t.app.inject({ method: 'GET', url: `/v1/qr-codes/${qr.id}.svg`, headers: { cookie } }),
      t.app.inject({ method: 'GET', url: `/v1/qr-codes/${qr.id}.png`, headers: { cookie } }),
    ]);
    expect(pngResponse.statusCode).toBe(200);
    expect(pngResponse.headers['content-type']).toBe('image/png');
    const svg = svgResponse.body;
    expect(svg).toContain('<title>人民广场店');
    expect(svg).not.toContain('<text'); // outlines, not font-dependent text

    const png = PNG.sync.read(pngResponse.rawPayload);
    const { width, height } = svgSize(svg);
    expect([png.width, png.height]).toEqual([width * 2, height * 2]);

    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code?.data).toBe(qr.url);

    // Under the code (margin 40 + modules × 10 in SVG units): the name's and the desk's lines have ink.
    const textTop = 2 * (width - 40);
    const nameBand = inkBetween(png, textTop + 2 * 10, textTop + 2 * 40);
    const deskBand = inkBetween(png, textTop + 2 * 50, textTop + 2 * 74);
    expect(nameBand).toBeGreaterThan(0.05);
    expect(deskBand).toBeGreaterThan(0.03);
    // And the gap between the lines is white: text, not a smear.
    expect(inkBetween(png, textTop + 2 * 41, textTop + 2 * 47)).toBeLessThan(0.02);
  });

  it('draws a longer name smaller rather than off the card; without a desk the card is shorter', async () => {
    const url = 'http://127.0.0.1:3000/h5/pay/AbCdEfGhIjKlMnOp';
    const long = await renderQrSvg(url, '上海市黄浦区人民大道一百号人民广场旗舰店二楼东侧', null);
    const short = await renderQrSvg(url, '人民广场店', '1号收银台');
    expect(svgSize(long).height).toBeLessThan(svgSize(short).height);
    const png = PNG.sync.read(await renderQrPng(url, '上海市黄浦区人民大道一百号人民广场旗舰店二楼东侧', null));
    // The outermost 8 px columns (4 SVG units) stay white in the text band: the name was fitted.
    const textTop = png.width - 80;
    let edgeInk = 0;
    for (let y = textTop; y < textTop + 80; y += 1) {
      for (const x of [0, 1, 2, 3, 4, 5, 6, 7, png.width - 8, png.width - 1]) if (png.data[(y * png.width + x) * 4]! < 128) edgeInk += 1;
    }
    expect(edgeInk).toBe(0);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url);
  });
});
