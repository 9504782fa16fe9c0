/**
 * A device's persistent storage for a download: the image being fetched and the bytes received,
 * kept across power loss so that the device resumes from the saved offset, and the version of
 * the firmware it runs. The client state machine asks for writes through effects; this class
 * carries them out and refuses writes that would leave a hole.
 */
import type { SavedDownload, TargetImage } from './ota-client-state.ts';

/** Non-volatile storage of one device. */
export class DeviceStorage {
  #target?: TargetImage;
  #buffer = new Uint8Array(0);
  #length = 0;
  /** Whether the bytes are kept (not for simulated images, whose bytes are all alike). */
  #keepsBytes = true;
  #runningVersion: number;

  /** Storage of a device running `runningVersion`, holding no download. */
  constructor(runningVersion: number) {
    this.#runningVersion = runningVersion;
  }

  /** The firmware version the device runs. */
  get runningVersion(): number {
    return this.#runningVersion;
  }

  /** Bytes received so far of the current download. */
  get length(): number {
    return this.#length;
  }

  /**
   * Starts a new download (forgetting any other). Without `keepBytes` only the count of bytes is
   * kept: for the simulated images of a campaign over millions of meters.
   */
  begin(target: TargetImage, keepBytes = true): void {
    this.#target = target;
    this.#keepsBytes = keepBytes;
    this.#buffer = new Uint8Array(keepBytes ? target.imageSize : 0);
    this.#length = 0;
  }

  /** Stores `data` at `fileOffset`, which must be where the bytes so far end. */
  write(fileOffset: number, data: Uint8Array): void {
    if (!this.#target) throw new RangeError('write: no download begun');
    if (fileOffset !== this.#length) {
      throw new RangeError(`write: offset ${fileOffset} is not the end of the ${this.#length} bytes held`);
    }
    if (fileOffset + data.length > this.#target.imageSize) {
      throw new RangeError(
        `write: ${data.length} bytes at ${fileOffset} run past the ${this.#target.imageSize}-byte image`,
      );
    }
    if (this.#keepsBytes) this.#buffer.set(data, fileOffset);
    this.#length += data.length;
  }

  /** Forgets the download. */
  discard(): void {
    this.#target = undefined;
    this.#buffer = new Uint8Array(0);
    this.#length = 0;
  }

  /** Records that the device now runs `fileVersion`. */
  activate(fileVersion: number): void {
    this.#runningVersion = fileVersion;
  }

  /** What survives a power loss. */
  saved(): SavedDownload | undefined {
    return this.#target ? { target: this.#target, fileOffset: this.#length } : undefined;
  }

  /** The bytes received (a copy; empty when only their count is kept). */
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}
