/**
 * What the DCC makes of its hubs' firmware events (DESIGN.md §1): each distribution it hands to a
 * hub is stored or refused there — the CSP's delivery status for each device it was for, and on
 * a refusal the hub's CCS08 FirmwareImageDiscarded — then each device's download ends with the
 * hub's CCS08 Firmware Transfer Alert, and a PPMID's hub-managed activation with alert 0x8F8B.
 * Every alert names the 11.1 / 11.4 request that distributed the image, and goes to its user.
 */
import { HUB_ALERT, type TransferResponse } from '../gbcs/hub-alerts.ts';
import type { NoteEvent } from '../sim/trace.ts';
import { HUB_NODE } from '../sim/transport.ts';
import type { DccAlert } from './dcc-alert.ts';
import type { RequestId } from './request-id.ts';

/** One distribution handed to a hub. */
export interface Delivery {
  readonly requestId: RequestId;
  /** The hub's EUI-64. */
  readonly hub: string;
  readonly devices: readonly string[];
  /** The image's file version, 8 hex digits. */
  readonly firmwareVersion: string;
}

/** A DCC alert and the user it goes to. */
export interface AddressedAlert {
  readonly user: string;
  readonly alert: DccAlert;
}

/** The distributions the DCC handed over, and the alerts the hubs' events make of them. */
export class DeliveryLedger {
  /** Handed over, their outcome at the hub not come yet, in the order the hubs take them. */
  readonly #pending: Delivery[] = [];
  /** The request that distributed each image to each device: `device:firmwareVersion`. */
  readonly #requests = new Map<string, RequestId>();
  readonly #hubOf: (device: string) => string;
  readonly #supplier: string;

  /** `hubOf` names a device's hub; alerts with no request go to `supplier`. */
  constructor(hubOf: (device: string) => string, supplier: string) {
    this.#hubOf = hubOf;
    this.#supplier = supplier;
  }

  /** A distribution handed to its hub now (the hub stores or refuses them in this order). */
  handedOver(delivery: Delivery): void {
    this.#pending.push(delivery);
    for (const device of delivery.devices)
      this.#requests.set(`${device}:${delivery.firmwareVersion}`, delivery.requestId);
  }

  /** The DCC alerts a note of the run makes, at `atMs`; none for the notes that are not hub events. */
  alertsOf(e: NoteEvent, atMs: number): AddressedAlert[] {
    const detail = e.detail ?? {};
    if (e.node === HUB_NODE && (e.what === 'image stored' || e.what === 'distribution refused'))
      return this.#stored(e.what === 'image stored', atMs);
    const version = typeof detail.firmwareVersion === 'string' ? detail.firmwareVersion : undefined;
    if (version === undefined || typeof detail.alertCode !== 'number') return [];
    if (e.node === HUB_NODE && typeof detail.device === 'string') {
      const requestId = this.#requests.get(`${detail.device}:${version}`);
      return [
        {
          user: requestId?.originator ?? this.#supplier,
          alert: {
            type: 'commsHubAlert',
            hub: this.#hubOf(detail.device),
            alertCode: detail.alertCode,
            atMs,
            ...(requestId && { updateFirmwareRequestId: requestId }),
            device: detail.device,
            firmwareVersion: version,
            response: detail.responseCode as TransferResponse,
          },
        },
      ];
    }
    if (detail.alertCode === HUB_ALERT.firmwareVersionAlert)
      return [
        {
          // The version it runs after the activation, the one distributed when it took.
          user: this.#requests.get(`${e.node}:${version}`)?.originator ?? this.#supplier,
          alert: {
            type: 'ppmidAlert',
            device: e.node,
            atMs,
            firmwareVersion: version,
            activated: detail.activated !== false,
          },
        },
      ];
    return [];
  }

  /** The outcome at the hub of the oldest distribution handed over. */
  #stored(stored: boolean, atMs: number): AddressedAlert[] {
    const delivery = this.#pending.shift();
    if (!delivery) return [];
    const user = delivery.requestId.originator;
    const common = {
      hub: delivery.hub,
      atMs,
      firmwareVersion: delivery.firmwareVersion,
    };
    return delivery.devices.flatMap((device): AddressedAlert[] => {
      const status: DccAlert = {
        type: 'cspFirmwareDeliveryStatus',
        updateFirmwareRequestId: delivery.requestId,
        device,
        delivered: stored,
        ...common,
      };
      if (stored) return [{ user, alert: status }];
      // A hub whose memory refuses the image also reports it discarded (CCS08 0x8F89).
      const discarded: DccAlert = {
        type: 'commsHubAlert',
        alertCode: HUB_ALERT.transferFailure,
        updateFirmwareRequestId: delivery.requestId,
        device,
        response: 'imageDiscarded',
        ...common,
      };
      return [
        { user, alert: status },
        { user, alert: discarded },
      ];
    });
  }
}
