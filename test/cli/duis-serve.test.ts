/**
 * The emulated DCC over HTTP (src/cli/duis-server.ts) as a supplier's adapter uses DCC Boxed: a
 * real HTTP client and server on loopback. The test stands in for the adapter — it POSTs 11.1 to
 * /api/v1/serviceD, waits for the ESME's 0x8F72 alert at its own endpoint, asks /api/v1/serviceT
 * for the CS06 pre-command, signs it with the test supplier's key, submits it to /api/v1/serviceS
 * and receives the device's signed CS06 response — every document schema-valid, the alerts and
 * responses arriving in order. Bad requests get 400 with the reason, and the server goes on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/bytes/base64.ts';
import { type DuisServer, startDuisServer } from '../../src/cli/duis-server.ts';
import { signP256 } from '../../src/crypto/ecdsa-p256.ts';
import { DCC_ALERT_CODES } from '../../src/duis/dcc-alert.ts';
import { parseXml } from '../../src/duis/xml.ts';
import { decodeGbcsMessage } from '../../src/gbcs/apdu.ts';
import { decodeCs06Response } from '../../src/gbcs/cs06.ts';
import { checkMessage } from '../../src/gbcs/security.ts';
import { duisSchema, emulator, signed, supplierKey, text, unsigned } from '../duis/helpers.ts';
import { describeWithVectors } from '../helpers/vectors.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The adapter's endpoint: collects what the DCC POSTs. */
async function userEndpoint(): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/duis`, received };
}

const field = (xml: string, xpath: string) => {
  const doc = parseXml(new TextEncoder().encode(xml), 'doc');
  expect(duisSchema().issues(doc)).toEqual([]);
  return doc.text(xpath);
};

describeWithVectors('hanota duis serve', () => {
  it('runs 11.1 → 0x8F72 → transform → signed pre-command → CS06 response over HTTP, alerts at the user endpoint in order', async () => {
    const endpoint = await userEndpoint();
    const dcc = emulator();
    const server: DuisServer = await startDuisServer({ dcc, port: 0, userEndpoint: endpoint.url });
    closers.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}/api/v1`;
    const post = (path: string, body: Uint8Array | string) =>
      fetch(`${base}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: typeof body === 'string' ? body : Buffer.from(body),
      });

    const update = await post('serviceD', signed(text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML')));
    expect(update.status).toBe(200);
    expect(field(await update.text(), '/sr:Response/sr:Header/sr:ResponseCode')).toBe('I0');
    await server.drained();
    // In order: the image delivered to the hub, the ESME's 0x8F72, the hub's CCS08 0x8F8A.
    expect(
      endpoint.received.map(
        (x) => field(x, '//sr:DCCAlertCode') ?? field(x, '//sr:DeviceAlertMessage/sr:AlertCode'),
      ),
    ).toEqual([DCC_ALERT_CODES.firmwareDelivered, '8F72', DCC_ALERT_CODES.commsHubAlert]);

    const activate = text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML').replace(
      /<sr:FirmwareHash>[0-9A-F]+</,
      '<sr:FirmwareHash>7542F475E3F12EAE887D81E32C46D313741D67076B13CAEC2F82E00BA5E1BB36<',
    );
    // A transform sent to the send-command endpoint is refused; the right one answers.
    expect((await post('serviceS', signed(activate))).status).toBe(400);
    const transform = await post('serviceT', signed(activate));
    expect(transform.status).toBe(200);
    const preCommand = fromBase64(
      field(await transform.text(), '//sr:PreCommand/sr:GBCSPayload') ?? '',
      'pre-command',
    );
    const signedPreCommand = new Uint8Array([
      ...preCommand,
      0x40,
      ...signP256(preCommand.subarray(1), supplierKey()),
    ]);
    const submit = unsigned(activate)
      .replace('<sr:CommandVariant>4<', '<sr:CommandVariant>5<')
      .replace(
        /<sr:ActivateFirmware>[\s\S]*<\/sr:ActivateFirmware>/,
        `<sr:SignedPreCommand><sr:GBCSPayload>${toBase64(signedPreCommand)}</sr:GBCSPayload></sr:SignedPreCommand>`,
      );
    const ack = await post('serviceS', signed(submit));
    expect(ack.status).toBe(200);
    expect(field(await ack.text(), '/sr:Response/sr:Header/sr:ResponseCode')).toBe('I99');
    await server.drained();
    expect(endpoint.received).toHaveLength(4);
    const response = endpoint.received[3] as string;
    expect(field(response, '/sr:Response/sr:Header/sr:RequestID')).toBe(
      '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000',
    );
    const message = decodeGbcsMessage(fromBase64(field(response, '//sr:GBCSPayload') ?? '', 'payload'));
    expect(checkMessage(message, dcc.ring).signature).toEqual({ status: 'valid' });
    if (message.kind !== 'generalSigning') throw new Error('not signed');
    expect(decodeCs06Response(message.signing.content)).toMatchObject({
      kind: 'executed',
      outcome: 'success',
    });

    // 11.2 through the send-command endpoint: acknowledged now, the device's answer at the endpoint.
    const read = await post('serviceS', signed(text('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML')));
    expect(read.status).toBe(200);
    expect(field(await read.text(), '/sr:Response/sr:Header/sr:ResponseCode')).toBe('I99');
    await server.drained();
    expect(endpoint.received).toHaveLength(5);
    const version = endpoint.received[4] as string;
    expect(field(version, '//sr:ServiceReference')).toBe('11.2');
    expect(field(version, '/sr:Response/sr:Header/sr:ResponseCode')).toBe('I0');
  });

  it('answers malformed XML, a bad signature and an unknown endpoint with the reason, and goes on', async () => {
    const server = await startDuisServer({ dcc: emulator(), port: 0 });
    closers.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    const broken = await fetch(`${base}/api/v1/serviceT`, { method: 'POST', body: '<sr:Request>' });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/not well-formed XML: line 1/);
    const placeholder = await fetch(`${base}/api/v1/serviceT`, {
      method: 'POST',
      body: text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML'),
    });
    expect(placeholder.status).toBe(400);
    expect(await placeholder.text()).toMatch(/the XML signature does not verify/);
    expect((await fetch(`${base}/nowhere`, { method: 'POST', body: '' })).status).toBe(404);
    const good = await fetch(`${base}/api/v1/serviceT`, {
      method: 'POST',
      body: Buffer.from(signed(text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML'))),
    });
    expect(good.status).toBe(200);
  });
});
