/**
 * How long the frames of a download take, for the session driver: the encoded length of each OTA
 * frame (from the codec, so airtime follows the real bytes), and the closed form of a whole
 * block-by-block transfer over a link and a sleepy device's wake windows.
 */
import type { OtaCommand } from '../ota/commands.ts';
import { encodeOtaFrame } from '../ota/frame-codec.ts';
import { nextAwake, type WakeSchedule } from '../sim/link.ts';
import { lostExchanges } from '../sim/lost-exchanges.ts';
import type { Rng } from '../sim/rng.ts';

/** Encoded ZCL lengths of the frames of a download, by command and data length. */
class FrameLengths {
  readonly #blockResponse = new Map<number, number>();
  readonly query: number;
  readonly queryWithHardware: number;
  readonly queryResponse: number;
  readonly noImage: number;
  readonly blockRequest: number;
  readonly waitForData: number;
  readonly endRequest: number;
  readonly endResponse: number;
  readonly notify: number;

  constructor() {
    const id = { manufacturerCode: 1, imageType: 1, fileVersion: 1 };
    const len = (command: OtaCommand) => encodeOtaFrame({ transactionSequence: 0, command }).length;
    this.query = len({ name: 'queryNextImageRequest', ...id });
    this.queryWithHardware = len({ name: 'queryNextImageRequest', ...id, hardwareVersion: 1 });
    this.queryResponse = len({ name: 'queryNextImageResponse', status: 'SUCCESS', ...id, imageSize: 1 });
    this.noImage = len({ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' });
    this.blockRequest = len({ name: 'imageBlockRequest', ...id, fileOffset: 0, maximumDataSize: 64 });
    this.waitForData = len({
      name: 'imageBlockResponse',
      status: 'WAIT_FOR_DATA',
      currentTime: 0,
      requestTime: 0,
      minimumBlockPeriod: 0,
    });
    this.endRequest = len({ name: 'upgradeEndRequest', status: 'SUCCESS', ...id });
    this.endResponse = len({ name: 'upgradeEndResponse', ...id, currentTime: 0, upgradeTime: 0 });
    this.notify = len({ name: 'imageNotify', payloadType: 3, queryJitter: 100, ...id });
  }

  /** An Image Block Response carrying `data` bytes. */
  blockResponse(data: number): number {
    let n = this.#blockResponse.get(data);
    if (n === undefined) {
      n = encodeOtaFrame({
        transactionSequence: 0,
        command: {
          name: 'imageBlockResponse',
          status: 'SUCCESS',
          manufacturerCode: 1,
          imageType: 1,
          fileVersion: 1,
          fileOffset: 0,
          data: new Uint8Array(data),
        },
      }).length;
      this.#blockResponse.set(data, n);
    }
    return n;
  }
}

let lengths: FrameLengths | undefined;

/** The lengths, computed on first use (encoding frames loads zigbee-herdsman: not at import). */
export function frameLengths(): FrameLengths {
  lengths ??= new FrameLengths();
  return lengths;
}

/** One transfer: when its first block request leaves, how many bytes in blocks of `chunk`, over what. */
export interface TransferInput {
  readonly sendUs: number;
  readonly size: number;
  readonly chunk: number;
  /** One frame of `length` bytes from send to receipt: airtime, latency, jitter. */
  readonly frameUs: (length: number) => number;
  readonly wake?: WakeSchedule;
  readonly lossProbability: number;
  readonly lossRng: Rng;
  readonly responseTimeoutUs: number;
}

/**
 * When the last Image Block Response of `size` bytes reaches a device whose first block request
 * leaves at `send`. Blocks follow one another, each request sent as the response before arrives;
 * a sleepy device receives a response that comes after its wake window at its next wake, so
 * within a window the blocks are counted by division (exactly as the frame driver steps them).
 * Lost frames add retries: their number is drawn once per transfer (a normal approximation of
 * the negative binomial count), each costing the response timeout.
 */
export function transferEndUs(x: TransferInput): number {
  const { size, chunk, frameUs, wake } = x;
  const blocks = Math.ceil(size / chunk);
  const full = frameUs(frameLengths().blockRequest) + frameUs(frameLengths().blockResponse(chunk));
  const last =
    frameUs(frameLengths().blockRequest) + frameUs(frameLengths().blockResponse(size - (blocks - 1) * chunk));
  let t = x.sendUs;
  let remaining = blocks - 1;
  if (!wake) t += remaining * full;
  else
    while (remaining > 0) {
      // Responses arriving before the window closes: s + j·full < end.
      const end = windowEnd(wake, t);
      const fit = Math.min(remaining, Math.max(0, Math.floor((end - 1 - t) / full)));
      if (fit === remaining) {
        t += fit * full;
        break;
      }
      // The next response comes after the window: it is delivered at the next wake.
      t = nextAwake(wake, t + (fit + 1) * full);
      remaining -= fit + 1;
    }
  t = nextAwake(wake, t + last);
  const retries = lostExchanges(blocks, x.lossProbability, x.lossRng);
  return retries > 0 ? nextAwake(wake, t + retries * x.responseTimeoutUs) : t;
}

/** The end of the wake window `t` is in (t awake). */
function windowEnd(wake: WakeSchedule, t: number): number {
  const into = (((t - wake.phaseUs) % wake.intervalUs) + wake.intervalUs) % wake.intervalUs;
  return t - into + wake.awakeUs;
}
