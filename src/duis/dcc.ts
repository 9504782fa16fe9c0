/**
 * The DCC, as a supplier's systems see it through DUIS (DESIGN.md §3 "The supplier's interface"):
 * Service Requests in — checked against the DUIS schema, their signature against the user's
 * certificate, their devices against the estate — and turned into what the node runtime runs
 * (distributions to the hubs of the devices listed, CS06 commands MACed by the Access Control
 * Broker); DUIS responses and alerts out, carrying the signed GBCS messages the devices send, in
 * virtual time. Requests are taken one at a time, each at the moment the one before has settled.
 *
 * Emulated: 11.1 Update Firmware and 11.4 Update PPMID Firmware (CommandVariant 8), 11.3
 * Activate Firmware as a transform (CommandVariant 4, the CS06 pre-command) and as a Signed
 * Pre-Command (CommandVariant 5: the CS06 the device checks, its response and, future-dated, its
 * outcome alert), and 11.2 Read Firmware Version (CommandVariant 1: the Access Control Broker
 * sends the device's read — ECS52, GCS38 or CS08 — on the user's behalf, as DCC Boxed does, and the
 * device's MACed response comes back as the 11.2 `GBCSPayload`); the DCC's own alerts on what the
 * hubs do (`dcc-hub-alerts.ts`) and on requests its Anomaly Detection Threshold holds. Other
 * requests are refused by name, never answered with a made-up message. The DCC's checks of an
 * 11.1 / 11.4 are `dcc-distribution.ts`'s, the 11.2 command `dcc-read.ts`'s.
 */
import { fromHex, toHex } from '../bytes/hex.ts';
import { AnomalyDetectionThreshold } from '../dcc/anomaly-detection.ts';
import { FIRMWARE_READ_OF_TYPE } from '../devices/gbcs-read.ts';
import { DecodeError, HanotaError } from '../errors/errors.ts';
import { type DecodedGeneralSigning, decodeGbcsMessage, encodeGeneralCiphering } from '../gbcs/apdu.ts';
import { CS06_MESSAGE_CODE } from '../gbcs/cs06.ts';
import { firmwareReadOf } from '../gbcs/firmware-read.ts';
import type { KeyRing } from '../gbcs/security.ts';
import { checkSignature, computeMac, macKeyOf } from '../gbcs/security.ts';
import type { MemoryGeometry } from '../hub/memory.ts';
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import type { Catalog } from '../pathways/catalog.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { FrameTransport } from '../sim/frame-transport.ts';
import { NodeRuntime } from '../sim/node-runtime.ts';
import { Trace } from '../sim/trace.ts';
import { type DccAlert, dccAlertCode } from './dcc-alert.ts';
import { type DccParties, dccParties } from './dcc-devices.ts';
import { planDistribution } from './dcc-distribution.ts';
import { DeliveryLedger } from './dcc-hub-alerts.ts';
import { readFirmwareCommand } from './dcc-read.ts';
import { type DuisRequest, readRequest } from './request.ts';
import { formatRequestId, type RequestId } from './request-id.ts';
import { type DuisResponse, RESPONSE_CODE, writeResponse } from './response.ts';
import { cs06PreCommand } from './transform.ts';
import { type DuisSchema, parseXml, XmlError } from './xml.ts';
import { checkDuisSignature, type DuisSigner, signDuisDocument } from './xml-signature.ts';

/** What the emulated DCC runs over. */
export interface DccInput {
  readonly estate: readonly EstateDevice[];
  readonly catalog: Catalog;
  readonly schema: DuisSchema;
  /** The user's keys (the DCC test PKI); without them every key is simulated and no request signature is checked. */
  readonly keys?: KeyRing;
  /** The supplier the devices obey (default: DCC Boxed's test supplier, 90b3d51f30010000). */
  readonly supplier?: string;
  readonly seed: number;
  /** Virtual time 0, seconds since the Unix epoch. */
  readonly startUnixS: number;
  /** How long a run may go on in virtual time after the last request, µs (default 30 days). */
  readonly horizonUs?: number;
  /** The DCC's Anomaly Detection Threshold: at most `limit` firmware distributions per user per window. */
  readonly adt?: { readonly limit: number; readonly windowUs: number };
  /** Each hub's memory (default 64 blocks of 4096 bytes) and downloads at once (default 8). */
  readonly hub?: { readonly memory?: MemoryGeometry; readonly maxConcurrentDownloads?: number };
  /**
   * The DCC's own signing key and certificate (DCC Boxed signs with the test ACB's, issuer
   * `CN=Z1,OU=07`): every response and alert is signed with it, as the DCC signs them.
   */
  readonly signer?: DuisSigner;
}

/** One DUIS document the DCC sends. */
export interface DccDocument {
  readonly atUs: number;
  /** The request it answers (RequestID as DUIS writes it), if any. */
  readonly requestId?: string;
  /** ResponseCode, or the alert code (hex) of an alert. */
  readonly code: string;
  readonly kind: 'response' | 'alert';
  readonly device?: string;
  readonly xml: string;
}

/** A request the DCC does not answer with a DUIS document: it is not one it can read, or not emulated yet. */
export interface DccRefusal {
  readonly document: string;
  readonly code: string;
  readonly message: string;
}

/** DCC Boxed's test supplier (GITTESTSUPPLIER), whose key signs DCC Boxed's sample images. */
export const DCC_TEST_SUPPLIER = '90b3d51f30010000';

/** The GBCS version hanota's pre-commands are built to: the one the DUIS 5.4 schema is aligned with. */
const GBCS_VERSION = '4.3';

const DAY_US = 86_400_000_000;

/** Which of the supplier's CS06 commands a device response answers: device and counter → request. */
type Pending = Map<string, RequestId>;

/** The emulated DCC over one estate. */
export class DccEmulator {
  readonly #input: DccInput;
  readonly #parties: DccParties;
  readonly #runtime: NodeRuntime;
  readonly #trace = new Trace();
  readonly #pending: Pending = new Map();
  #seen = 0;
  /** The Access Control Broker's last originator counter. */
  #acbCounter = 0n;
  /** Each user's Anomaly Detection Threshold. */
  readonly #thresholds = new Map<string, AnomalyDetectionThreshold>();
  #quarantineRef = 0n;
  readonly #ledger: DeliveryLedger;

  constructor(input: DccInput) {
    this.#input = input;
    this.#parties = dccParties(input.estate, input.catalog, input.keys, input.supplier ?? DCC_TEST_SUPPLIER);
    const devices = this.#parties.devices;
    this.#ledger = new DeliveryLedger((device) => devices.get(device)?.hubId ?? '', this.#parties.supplier);
    const specs = [...this.#parties.devices.values()].flatMap((d) => (d.spec ? [d.spec] : []));
    const memory = input.hub?.memory ?? { blockCount: 64, blockSize: 4096 };
    const config = {
      ...DEFAULT_HUB_CONFIG,
      ...(input.hub?.maxConcurrentDownloads !== undefined && {
        maxConcurrentDownloads: input.hub.maxConcurrentDownloads,
      }),
    };
    // One hub per hub of the estate (one at least: the runtime needs a hub).
    const hubs = (this.#parties.hubs.length > 0 ? this.#parties.hubs : ['']).map(() => ({ config, memory }));
    this.#runtime = new NodeRuntime(
      {
        seed: input.seed,
        hub: config,
        memory,
        hubs,
        devices: specs,
        images: [],
        maxTimeUs: Number.MAX_SAFE_INTEGER,
        startUnixS: input.startUnixS,
      },
      (port) => new FrameTransport(port),
      { trace: this.#trace },
    );
    this.#runtime.start();
  }

  /** Virtual time now, µs. */
  get nowUs(): number {
    return this.#runtime.endUs;
  }

  /** The devices' digital-signing public keys: what their messages verify with (`hanota gbcs parse --keys`). */
  get deviceSigningKeys(): [eui: string, publicKey: Uint8Array][] {
    return [...this.#parties.devices.keys()].flatMap((eui) => {
      const ds = this.#parties.ring.parties.get(eui)?.ds;
      return ds ? [[eui, ds.publicKey] as [string, Uint8Array]] : [];
    });
  }

  /** The keys the emulation uses (the user's, and the simulated ones): what checks the devices' messages. */
  get ring(): KeyRing {
    return this.#parties.ring;
  }

  /**
   * A request arriving now: its synchronous answer, or a refusal when it is not a DUIS request
   * the DCC can take (not well-formed, not valid against the schema, its signature does not
   * verify, not emulated, or sent where its CommandVariant does not go: `commandVariants`, those an
   * endpoint takes). What it sets going runs at `settle`.
   */
  submit(
    bytes: Uint8Array,
    name: string,
    commandVariants?: readonly number[],
  ): { documents: DccDocument[]; refusal?: DccRefusal } {
    let request: DuisRequest;
    try {
      const doc = parseXml(bytes, name);
      try {
        this.#input.schema.check(doc);
        request = readRequest(doc);
      } finally {
        doc.dispose();
      }
    } catch (error) {
      if (error instanceof XmlError || error instanceof DecodeError)
        return { documents: [], refusal: { document: name, code: error.code, message: error.message } };
      throw error;
    }
    if (commandVariants && !commandVariants.includes(request.commandVariant))
      return {
        documents: [],
        refusal: {
          document: name,
          code: 'DUIS_ENDPOINT',
          message: `${name}: takes CommandVariant ${commandVariants.join(', ')}, not ${request.commandVariant}`,
        },
      };
    const signer = this.#input.keys?.parties.get(request.requestId.originator)?.ds;
    if (this.#input.keys) {
      const check = signer
        ? checkDuisSignature(new TextDecoder().decode(bytes), signer.publicKey)
        : ({
            status: 'invalid',
            reason: `no certificate of ${request.requestId.originator} in the keys`,
          } as const);
      if (check.status !== 'valid')
        return {
          documents: [],
          refusal: {
            document: name,
            code: 'DUIS_SIGNATURE',
            message: `${name}: ${request.requestIdText}: the XML signature ${
              check.status === 'unsigned'
                ? 'is missing'
                : check.reason === 'the signature does not verify'
                  ? 'does not verify'
                  : `does not verify (${check.reason})`
            }`,
          },
        };
    }
    try {
      return { documents: this.#take(request) };
    } catch (error) {
      if (error instanceof HanotaError)
        return {
          documents: [],
          refusal: { document: name, code: error.code, message: `${name}: ${error.message}` },
        };
      throw error;
    }
  }

  /** Runs until nothing is left but idle polls: the responses and alerts of that time, in order. */
  settle(): DccDocument[] {
    const until = this.#runtime.endUs + (this.#input.horizonUs ?? 30 * DAY_US);
    while (!this.#runtime.quiescent) {
      const next = this.#runtime.peek();
      if (!next || next.time > until) break;
      this.#runtime.step();
    }
    return this.#messages();
  }

  /** The ACB's next counter, as DCC Boxed's: the time in ms, strictly increasing. */
  #nextAcbCounter(): bigint {
    const nowMs = BigInt(this.#input.startUnixS * 1000 + Math.floor(this.#runtime.endUs / 1000));
    this.#acbCounter = nowMs > this.#acbCounter ? nowMs : this.#acbCounter + 1n;
    return this.#acbCounter;
  }

  /**
   * One of the DCC's own alerts to `user`: from the DCC (the ACB's system title), with the ACB's
   * counter, response code I0.
   */
  #dccAlert(user: string, alert: DccAlert, atUs = this.#runtime.endUs): DccDocument {
    const counter = this.#nextAcbCounter();
    const device = alert.type === 'quarantinedRequest' ? alert.requestId.target : alert.device;
    return {
      atUs,
      ...(alert.type === 'quarantinedRequest' && { requestId: formatRequestId(alert.requestId) }),
      code: dccAlertCode(alert),
      kind: 'alert',
      ...(this.#parties.devices.has(device) && { device }),
      xml: this.#xml({
        responseId: { originator: this.#parties.ring.acb, target: user, counter },
        responseCode: RESPONSE_CODE.success,
        atMs: this.#input.startUnixS * 1000 + Math.floor(atUs / 1000),
        body: { kind: 'dccAlert', alert },
      }),
    };
  }

  /** A response or alert as the DCC sends it: written, and signed when the DCC has its key. */
  #xml(response: DuisResponse): string {
    const xml = writeResponse(response);
    return this.#input.signer ? signDuisDocument(xml, this.#input.signer) : xml;
  }

  #answer(request: DuisRequest, code: string, body: DuisResponse['body'] = { kind: 'plain' }): DccDocument {
    const atUs = this.#runtime.endUs;
    return {
      atUs,
      requestId: request.requestIdText,
      code,
      kind: 'response',
      ...(this.#parties.devices.has(request.requestId.target) && { device: request.requestId.target }),
      xml: this.#xml({
        requestId: request.requestId,
        responseCode: code,
        atMs: this.#input.startUnixS * 1000 + Math.floor(atUs / 1000),
        serviceReference: request.serviceReference,
        serviceReferenceVariant: request.serviceReferenceVariant,
        body,
      }),
    };
  }

  #take(request: DuisRequest): DccDocument[] {
    const { body } = request;
    if (body.service === 'other')
      throw new HanotaError(
        'DUIS_NOT_EMULATED',
        `${request.requestIdText}: service request ${request.serviceReferenceVariant} (${body.element}) is not emulated by hanota`,
      );
    if (body.service === '11.2') return [this.#readFirmwareVersion(request)];
    if (body.service === '11.1' || body.service === '11.4') return this.#distribute(request, body);
    if (body.service === 'signedPreCommand') {
      if (request.serviceReferenceVariant !== '11.3')
        throw new HanotaError(
          'DUIS_NOT_EMULATED',
          `${request.requestIdText}: signed pre-commands of service request ${request.serviceReferenceVariant} are not emulated by hanota`,
        );
      if (!this.#parties.devices.get(request.requestId.target)?.spec?.gbcs)
        return [this.#answer(request, RESPONSE_CODE.unknownDevice)];
      this.#signedPreCommand(request, body.payload);
      return [this.#answer(request, RESPONSE_CODE.acknowledged)];
    }
    // 11.3 Activate Firmware, to one device.
    if (body.service !== '11.3') throw new RangeError(`service ${body.service}: not handled`);
    const device = this.#parties.devices.get(request.requestId.target);
    if (!device) return [this.#answer(request, RESPONSE_CODE.unknownDevice)];
    if (!device.spec?.gbcs) return [this.#answer(request, RESPONSE_CODE.wrongDeviceType)];
    if (request.commandVariant === 4)
      return [
        this.#answer(request, RESPONSE_CODE.success, {
          kind: 'preCommand',
          gbcsVersion: GBCS_VERSION,
          payload: cs06PreCommand({
            requestId: request.requestId,
            hash: body.hash,
            ...(body.executeAt !== undefined && { executeAt: body.executeAt }),
          }),
        }),
      ];
    return [this.#answer(request, RESPONSE_CODE.wrongCommandVariant)];
  }

  /**
   * The Anomaly Detection Threshold on a user's firmware distributions: whether one more passes
   * now (then it counts), or is over it — acknowledged and quarantined, held, never carried out,
   * and the user alerted with `QuarantinedRequest` (ADUserThresholdBreach, a quarantine event
   * reference). The DCC's own release of held requests is not emulated: they stay held.
   */
  #quarantined(request: DuisRequest): DccDocument[] | undefined {
    const adt = this.#input.adt;
    if (!adt) return undefined;
    const user = request.requestId.originator;
    let threshold = this.#thresholds.get(user);
    if (!threshold) {
      threshold = new AnomalyDetectionThreshold(adt.limit, adt.windowUs);
      this.#thresholds.set(user, threshold);
    }
    const now = this.#runtime.endUs;
    if (threshold.passes(now)) {
      threshold.record(now);
      return undefined;
    }
    this.#quarantineRef++;
    return [
      this.#answer(request, RESPONSE_CODE.acknowledged),
      this.#dccAlert(user, {
        type: 'quarantinedRequest',
        breach: 'user',
        requestId: request.requestId,
        quarantineEventRef: this.#quarantineRef,
      }),
    ];
  }

  /**
   * 11.2 Read Firmware Version (CommandVariant 1): the ACB sends the read the device's type answers,
   * MACed, naming the user and its counter as the supplementary remote party; acknowledged now.
   */
  #readFirmwareVersion(request: DuisRequest): DccDocument {
    const { requestId } = request;
    const device = this.#parties.devices.get(requestId.target);
    if (!device) return this.#answer(request, RESPONSE_CODE.unknownDevice);
    const read = device.type && FIRMWARE_READ_OF_TYPE[device.type];
    if (!read || !device.spec?.firmwareRead) return this.#answer(request, RESPONSE_CODE.wrongDeviceType);
    if (request.commandVariant !== 1) return this.#answer(request, RESPONSE_CODE.wrongCommandVariant);
    const counter = this.#nextAcbCounter();
    const command = readFirmwareCommand(this.#parties.ring, device.eui, read, requestId, counter);
    this.#pending.set(`${device.eui}:${counter}`, requestId);
    this.#runtime.gbcsCommandAt(this.#runtime.endUs, device.eui, command);
    return this.#answer(request, RESPONSE_CODE.acknowledged);
  }

  /** A Signed Pre-Command (CommandVariant 5): checked, MACed by the ACB, sent to the device. */
  #signedPreCommand(request: DuisRequest, payload: Uint8Array): void {
    const { requestIdText, requestId } = request;
    const message = decodeGbcsMessage(payload);
    if (message.kind !== 'generalSigning' || message.signing.messageCode !== CS06_MESSAGE_CODE)
      throw new HanotaError(
        'DUIS_PRE_COMMAND',
        `${requestIdText}: the signed pre-command is not a signed CS06`,
      );
    const signing = message.signing;
    if (toHex(signing.originator) !== requestId.originator || toHex(signing.recipient) !== requestId.target)
      throw new HanotaError(
        'DUIS_PRE_COMMAND',
        `${requestIdText}: the pre-command is from ${toHex(signing.originator)} to ${toHex(signing.recipient)}, not the request's parties`,
      );
    const signature = checkSignature(signing, this.#parties.ring);
    if (signature.status !== 'valid')
      throw new HanotaError(
        'DUIS_PRE_COMMAND',
        `${requestIdText}: the pre-command's signature ${signature.status === 'invalid' ? 'does not verify' : `cannot be checked (${signature.reason})`}`,
      );
    const key = macKeyOf(signing, this.#parties.ring);
    if (typeof key === 'string') throw new HanotaError('DUIS_PRE_COMMAND', `${requestIdText}: ${key}`);
    const sealed = encodeGeneralCiphering(payload, computeMac(key, signing.originator, 0, payload));
    const device = toHex(signing.recipient);
    this.#pending.set(`${device}:${signing.transactionId.counter}`, requestId);
    this.#runtime.gbcsCommandAt(this.#runtime.endUs, device, sealed);
  }

  /**
   * 11.1 / 11.4 (CommandVariant 8): checked, then — unless the Anomaly Detection Threshold holds
   * it — one distribution to the hub of each group of devices, answered I0 with the devices left
   * out named. A request that distributes nothing is not counted by the threshold.
   */
  #distribute(
    request: DuisRequest,
    body: Extract<DuisRequest['body'], { service: '11.1' | '11.4' }>,
  ): DccDocument[] {
    const plan = planDistribution(request, body, this.#parties.devices, this.#input.catalog);
    if (plan.byHub.size > 0) {
      const held = this.#quarantined(request);
      if (held) return held;
    }
    for (const [hub, devices] of plan.byHub) {
      this.#runtime.distributeAt(
        this.#runtime.endUs,
        { file: body.image, parse: { format: 'gbcs', signed: !plan.ppmid } },
        devices,
      );
      this.#ledger.handedOver({
        requestId: request.requestId,
        hub,
        devices,
        firmwareVersion: plan.firmwareVersion,
      });
    }
    const { invalid, notApplicable, ppmid } = plan;
    return [
      this.#answer(
        request,
        RESPONSE_CODE.success,
        invalid.length + notApplicable.length > 0
          ? { kind: 'firmwareWarning', ppmid, invalid, notApplicable }
          : { kind: 'plain' },
      ),
    ];
  }

  /** The devices' messages in the trace since the last look, as DUIS documents. */
  #messages(): DccDocument[] {
    const events = this.#trace.events;
    const out: DccDocument[] = [];
    for (; this.#seen < events.length; this.#seen++) {
      const e = events[this.#seen];
      if (e?.kind !== 'note') continue;
      if (typeof e.detail?.apdu !== 'string') {
        const atMs = this.#input.startUnixS * 1000 + Math.floor(e.timeUs / 1000);
        for (const { user, alert } of this.#ledger.alertsOf(e, atMs))
          out.push(this.#dccAlert(user, alert, e.timeUs));
        continue;
      }
      const payload = fromHex(e.detail.apdu, 'apdu');
      const message = decodeGbcsMessage(payload);
      const atMs = this.#input.startUnixS * 1000 + Math.floor(e.timeUs / 1000);
      if (message.kind === 'generalCiphering') {
        const read = this.#readResponse(e.node, e.timeUs, atMs, payload, message.ciphering.signing);
        if (read) out.push(read);
        continue;
      }
      const signing = message.signing;
      const responseId: RequestId = {
        originator: e.node,
        target: toHex(signing.recipient),
        counter: signing.transactionId.counter,
      };
      const alertCode = typeof e.detail.alertCode === 'number' ? e.detail.alertCode : undefined;
      const futureDated = alertCode === 0x8f66 || alertCode === 0x8f67;
      if (e.what !== 'CS06 response' && alertCode === undefined) continue;
      // A CS06 response and a future-dated outcome answer the supplier's command (by its
      // counter): a ResponseMessage of 11.3 with its RequestID. Other alerts stand alone.
      const body: DuisResponse['body'] =
        e.what === 'CS06 response'
          ? { kind: 'gbcsPayload', payload }
          : futureDated
            ? { kind: 'futureDatedAlert', alertCode, payload, instruction: 1, instructions: 1 }
            : { kind: 'deviceAlert', alertCode: alertCode as number, payload };
      const answers = body.kind !== 'deviceAlert';
      const requestId = answers
        ? this.#pending.get(
            `${e.node}:${e.what === 'CS06 response' ? e.detail.counter : e.detail.commandCounter}`,
          )
        : undefined;
      out.push({
        atUs: e.timeUs,
        ...(requestId && { requestId: formatRequestId(requestId) }),
        code:
          body.kind === 'gbcsPayload'
            ? RESPONSE_CODE.success
            : (alertCode as number).toString(16).toUpperCase(),
        kind: body.kind === 'gbcsPayload' ? 'response' : 'alert',
        device: e.node,
        xml: this.#xml({
          ...(requestId && { requestId }),
          responseId,
          responseCode: RESPONSE_CODE.success,
          atMs,
          ...(answers && { serviceReference: '11.3', serviceReferenceVariant: '11.3' }),
          body,
        }),
      });
    }
    return out;
  }

  /**
   * A device's response to the ACB's read: the 11.2 response to the request it was sent for, with
   * the device's MACed GBCS response as the payload, from the device to the user (as DCC Boxed's
   * ResponseID reads: device, user, the user's counter).
   */
  #readResponse(
    node: string,
    atUs: number,
    atMs: number,
    payload: Uint8Array,
    signing: DecodedGeneralSigning,
  ): DccDocument | undefined {
    if (signing.transactionId.cra !== 'response' || firmwareReadOf(signing.messageCode) === undefined)
      return undefined;
    const requestId = this.#pending.get(`${node}:${signing.transactionId.counter}`);
    if (!requestId) return undefined;
    this.#pending.delete(`${node}:${signing.transactionId.counter}`);
    return {
      atUs,
      requestId: formatRequestId(requestId),
      code: RESPONSE_CODE.success,
      kind: 'response',
      device: node,
      xml: this.#xml({
        requestId,
        responseId: { originator: node, target: requestId.originator, counter: requestId.counter },
        responseCode: RESPONSE_CODE.success,
        atMs,
        serviceReference: '11.2',
        serviceReferenceVariant: '11.2',
        body: { kind: 'gbcsPayload', payload },
      }),
    };
  }
}
