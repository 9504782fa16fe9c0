/**
 * The device side of the OTA Upgrade cluster (ZCL r8 §11.11–11.13) as a pure state machine:
 * `stepClient(config, state, event, ctx) → {state, effects}`. It queries for an image, fetches
 * it block by block, resumes from the saved offset after a power loss, has the driver check the
 * whole image, reports the outcome in an Upgrade End Request and activates (or, for GBCS
 * devices, waits for CS06) as the Upgrade End Response says. Every status change is returned as
 * a transition with its reason; bytes and timers are effects the driver carries out.
 */
import {
  IMAGE_UPGRADE_STATUS,
  type ImageId,
  type ImageUpgradeStatusName,
  OTA_WILDCARD,
  type OtaCommand,
  sameImage,
} from '../ota/commands.ts';
import {
  type ClientConfig,
  type ClientContext,
  type ClientEffect,
  type ClientEvent,
  type ClientState,
  type ClientStep,
  type ClientTimer,
  go,
  holdsVerifiedImage,
  isRestPhase,
  MAX_IMAGE_SIZE,
  type TargetImage,
  withState,
} from './ota-client-state.ts';

const MS = 1_000;
const S = 1_000_000;
/** ZCL r8 §11.13.3.4: the client draws 1..100 and answers an Image Notify when at most the jitter. */
const QUERY_JITTER_RANGE = 100;
/** How often a device told to wait (upgrade time 0xFFFFFFFF) asks again, ZCL r8 §11.13.9.6. */
const WAIT_RETRY_US = 3_600 * S;
/** Sends a new request (a new transaction sequence number) and awaits its response. */
function request(
  config: ClientConfig,
  state: ClientState,
  command: OtaCommand,
  effects: ClientEffect[],
  timeoutUs = config.profile.responseTimeoutMs * MS,
): ClientState {
  const tsn = (state.tsn + 1) & 0xff;
  effects.push(
    { type: 'send', command, transactionSequence: tsn },
    { type: 'setTimer', timer: 'response', delayUs: timeoutUs },
  );
  return withState(state, { tsn, outstanding: command });
}

/** Sends a request no response is awaited for (an aborting Upgrade End Request). */
function notifyHub(state: ClientState, command: OtaCommand, effects: ClientEffect[]): ClientState {
  const tsn = (state.tsn + 1) & 0xff;
  effects.push({ type: 'send', command, transactionSequence: tsn });
  return withState(state, { tsn });
}

/** The image identity of the image being fetched (what block and end requests name). */
function imageIdOfTarget(target: TargetImage): ImageId {
  return {
    manufacturerCode: target.manufacturerCode,
    imageType: target.imageType,
    fileVersion: target.fileVersion,
  };
}

function imageIdOf(config: ClientConfig, fileVersion: number): ImageId {
  return { manufacturerCode: config.manufacturerCode, imageType: config.imageType, fileVersion };
}

function query(
  config: ClientConfig,
  state: ClientState,
  effects: ClientEffect[],
  reason: string,
): ClientState {
  const command: OtaCommand = {
    name: 'queryNextImageRequest',
    ...imageIdOf(config, state.runningVersion),
    ...(config.hardwareVersion !== undefined && { hardwareVersion: config.hardwareVersion }),
  };
  // Asking now, the poll is done: the timer is armed again when the device is back at rest.
  effects.push({ type: 'cancelTimer', timer: 'query' });
  return go(request(config, state, command, effects), { phase: 'querying' }, reason, effects);
}

function blockRequest(config: ClientConfig, state: ClientState, effects: ClientEffect[]): ClientState {
  const target = state.target as TargetImage;
  const command: OtaCommand = {
    name: 'imageBlockRequest',
    // Fields written out rather than spread: this runs once per block.
    manufacturerCode: target.manufacturerCode,
    imageType: target.imageType,
    fileVersion: target.fileVersion,
    fileOffset: state.fileOffset,
    maximumDataSize: Math.min(config.maxDataSize, target.imageSize - state.fileOffset),
  };
  return request(config, state, command, effects);
}

/**
 * An Image Page Request for the next page (ZCL r8 §11.13.7): the hub answers with the page's
 * blocks, `responseSpacing` apart, all echoing its sequence number; the page timeout runs on the
 * response timer.
 */
function pageRequest(config: ClientConfig, state: ClientState, effects: ClientEffect[]): ClientState {
  const target = state.target as TargetImage;
  const pages = config.profile.pageRequests as NonNullable<ClientConfig['profile']['pageRequests']>;
  const remaining = target.imageSize - state.fileOffset;
  const pageSize = Math.min(pages.pageSize, remaining);
  const command: OtaCommand = {
    name: 'imagePageRequest',
    manufacturerCode: target.manufacturerCode,
    imageType: target.imageType,
    fileVersion: target.fileVersion,
    fileOffset: state.fileOffset,
    maximumDataSize: Math.min(config.maxDataSize, remaining),
    pageSize,
    responseSpacing: pages.responseSpacingMs,
  };
  const sent = request(config, state, command, effects, pages.timeoutS * S);
  return withState(sent, { pageEnd: state.fileOffset + pageSize });
}

/** The next request of a download: a page, when the device asks for pages, else a block. */
function nextRequest(config: ClientConfig, state: ClientState, effects: ClientEffect[]): ClientState {
  return config.profile.pageRequests
    ? pageRequest(config, state, effects)
    : blockRequest(config, state, effects);
}

function abort(
  config: ClientConfig,
  state: ClientState,
  effects: ClientEffect[],
  reason: string,
  keepImage: boolean,
): ClientState {
  effects.push({ type: 'cancelTimer', timer: 'response' }, { type: 'cancelTimer', timer: 'nextBlock' });
  if (!keepImage) effects.push({ type: 'discardImage' });
  const aborts = state.aborts + 1;
  // Either way it queries again after its interval, as Silicon Labs' client does after a failed
  // download: a device that keeps failing says so (phase failed) but is never left without a timer.
  pollLater(config, effects);
  if (aborts >= config.maxAborts) {
    return go(
      state,
      {
        phase: 'failed',
        status: 'normal',
        aborts,
        attempts: 0,
        outstanding: undefined,
        outcome: `${aborts} downloads aborted in a row: ${reason}`,
      },
      reason,
      effects,
    );
  }
  return go(
    state,
    {
      phase: 'idle',
      status: 'normal',
      aborts,
      attempts: 0,
      outstanding: undefined,
      ...(keepImage ? {} : { target: undefined, fileOffset: 0 }),
    },
    reason,
    effects,
  );
}

/** Arms the query timer: the device asks the hub again after its query interval. */
function pollLater(config: ClientConfig, effects: ClientEffect[]): void {
  effects.push({ type: 'setTimer', timer: 'query', delayUs: config.profile.queryIntervalS * S });
}

/**
 * A query answered with nothing to fetch: back to the phase it rests in (idle, upgraded or
 * failed), saying why, to ask again after its query interval.
 */
function settle(
  config: ClientConfig,
  state: ClientState,
  outcome: string,
  reason: string,
  effects: ClientEffect[],
): ClientState {
  pollLater(config, effects);
  // A device that failed keeps the reason it failed: that nothing else is on offer does not replace it.
  const next = go(
    state,
    {
      phase: state.rest,
      status: 'normal',
      attempts: 0,
      outstanding: undefined,
      outcome: state.rest === 'failed' ? state.outcome : outcome,
    },
    reason,
    effects,
  );
  effects.push({ type: 'nothingToFetch' });
  return next;
}

function onQueryResponse(
  config: ClientConfig,
  state: ClientState,
  command: Extract<OtaCommand, { name: 'queryNextImageResponse' }>,
  effects: ClientEffect[],
): ClientState {
  effects.push({ type: 'cancelTimer', timer: 'response' });
  if (command.status !== 'SUCCESS') {
    // "Nothing on offer" says less than why the last offer came to nothing (refused, aborted): kept.
    const outcome = state.outcome ?? `hub answered ${command.status}`;
    return settle(config, state, outcome, `query answered ${command.status}`, effects);
  }
  if (command.manufacturerCode !== config.manufacturerCode || command.imageType !== config.imageType) {
    return settle(
      config,
      state,
      'hub offered an image for another device',
      'query response names another manufacturer or image type',
      effects,
    );
  }
  if (command.imageSize === 0 || command.imageSize > MAX_IMAGE_SIZE) {
    return settle(
      config,
      state,
      `hub offered an image of ${command.imageSize} bytes`,
      'image size out of range',
      effects,
    );
  }
  if (command.fileVersion === state.runningVersion && config.profile.reinstall === 'ignore')
    return settle(
      config,
      state,
      `hub offered ${hexVersion(command.fileVersion)}, the version it runs`,
      'query response offers the running version: no new image',
      effects,
    );
  const refusedToRun = state.refusedImage !== undefined && sameImage(state.refusedImage, command);
  if (refusedToRun || (command.fileVersion < state.runningVersion && config.profile.downgrade === 'refuse')) {
    // Refused at once, as Silicon Labs' client with downgrades disabled does: nothing is downloaded.
    const refused = notifyHub(
      state,
      {
        name: 'upgradeEndRequest',
        status: 'INVALID_IMAGE',
        manufacturerCode: command.manufacturerCode,
        imageType: command.imageType,
        fileVersion: command.fileVersion,
      },
      effects,
    );
    return refusedToRun
      ? settle(
          config,
          refused,
          `${hexVersion(command.fileVersion)} refused: its firmware refused to run here`,
          `${hexVersion(command.fileVersion)} offered again after its firmware refused to run: upgrade end request INVALID_IMAGE`,
          effects,
        )
      : settle(
          config,
          refused,
          `downgrade to ${hexVersion(command.fileVersion)} refused`,
          `downgrade to ${hexVersion(command.fileVersion)} refused (running ${hexVersion(state.runningVersion)}): upgrade end request INVALID_IMAGE`,
          effects,
        );
  }
  const target: TargetImage = {
    manufacturerCode: command.manufacturerCode,
    imageType: command.imageType,
    fileVersion: command.fileVersion,
    imageSize: command.imageSize,
  };
  const resume =
    state.target !== undefined &&
    sameImage(state.target, target) &&
    state.target.imageSize === target.imageSize;
  if (!resume) effects.push({ type: 'beginImage', target });
  const next = go(
    state,
    {
      phase: 'downloading',
      status: 'downloadInProgress',
      target,
      fileOffset: resume ? state.fileOffset : 0,
      attempts: 0,
    },
    resume
      ? `resuming ${hexVersion(target.fileVersion)} at offset ${state.fileOffset}`
      : `downloading ${hexVersion(target.fileVersion)}`,
    effects,
  );
  if (next.fileOffset >= target.imageSize) {
    effects.push({ type: 'checkImage' });
    return go(next, { phase: 'checking', outstanding: undefined }, 'all bytes already held', effects);
  }
  return nextRequest(config, next, effects);
}

function onBlockResponse(
  config: ClientConfig,
  state: ClientState,
  command: Extract<OtaCommand, { name: 'imageBlockResponse' }>,
  effects: ClientEffect[],
): ClientState {
  const target = state.target as TargetImage;
  // ABORT, or NO_IMAGE_AVAILABLE (its distribution ended): the download cannot go on.
  if (command.status === 'ABORT' || command.status === 'NO_IMAGE_AVAILABLE')
    return abort(
      config,
      state,
      effects,
      command.status === 'ABORT' ? 'hub aborted the download' : 'hub holds the image no more',
      false,
    );
  if (command.status === 'WAIT_FOR_DATA') {
    const waitS = Math.max(0, command.requestTime - command.currentTime);
    const delayUs = Math.max(waitS * S, command.minimumBlockPeriod * MS);
    effects.push(
      { type: 'cancelTimer', timer: 'response' },
      { type: 'setTimer', timer: 'nextBlock', delayUs },
    );
    // ZCL r8 §11.13.8.3: the client keeps to the minimum block period for the rest of the download.
    return withState(state, {
      attempts: 0,
      outstanding: undefined,
      pageEnd: undefined,
      blockPeriodMs: command.minimumBlockPeriod,
    });
  }
  const expected = state.outstanding;
  // A stale or duplicate response, or one that does not fit the request, is ignored: the
  // response timer then asks again.
  if (
    !sameImage(command, target) ||
    command.fileOffset !== state.fileOffset ||
    command.data.length === 0 ||
    command.fileOffset + command.data.length > target.imageSize ||
    ((expected?.name === 'imageBlockRequest' || expected?.name === 'imagePageRequest') &&
      command.data.length > expected.maximumDataSize)
  ) {
    return state;
  }
  return received(config, state, command.fileOffset, command.data, effects);
}

/**
 * `data` received at `fileOffset`, the end of what the device holds (one block, or a run of them
 * from the session transport): stored, then the next request, or the whole-image check.
 */
function received(
  config: ClientConfig,
  state: ClientState,
  fileOffset: number,
  data: Uint8Array,
  effects: ClientEffect[],
): ClientState {
  const target = state.target as TargetImage;
  const fileEnd = state.fileOffset + data.length;
  // A block of a page that has more to come: stored, and the page's timer left running.
  if (state.pageEnd !== undefined && fileEnd < state.pageEnd && fileEnd < target.imageSize) {
    effects.push({ type: 'store', fileOffset, data });
    return withState(state, { fileOffset: fileEnd, attempts: 0, aborts: 0 });
  }
  effects.push({ type: 'cancelTimer', timer: 'response' }, { type: 'store', fileOffset, data });
  // Progress resets the abort count: only consecutive aborted attempts make the device give up.
  const next = withState(state, {
    fileOffset: fileEnd,
    attempts: 0,
    aborts: 0,
    outstanding: undefined,
    pageEnd: undefined,
  });
  if (next.fileOffset >= target.imageSize) {
    effects.push({ type: 'checkImage' });
    return go(next, { phase: 'checking' }, `received all ${target.imageSize} bytes`, effects);
  }
  if (next.blockPeriodMs) {
    effects.push({ type: 'setTimer', timer: 'nextBlock', delayUs: next.blockPeriodMs * MS });
    return next;
  }
  return nextRequest(config, next, effects);
}

/** A run of blocks from the session transport: taken as the responses to the outstanding request and its successors. */
function onBlocks(
  config: ClientConfig,
  state: ClientState,
  event: Extract<ClientEvent, { type: 'blocks' }>,
  effects: ClientEffect[],
): ClientState {
  const target = state.target;
  if (
    state.phase !== 'downloading' ||
    target === undefined ||
    state.outstanding?.name !== 'imageBlockRequest' ||
    event.fileOffset !== state.fileOffset ||
    event.data.length === 0 ||
    event.fileOffset + event.data.length > target.imageSize
  )
    return state;
  return received(config, state, event.fileOffset, event.data, effects);
}

function onChecked(
  config: ClientConfig,
  state: ClientState,
  { result, reaction }: Extract<ClientEvent, { type: 'checked' }>,
  effects: ClientEffect[],
): ClientState {
  const target = state.target as TargetImage;
  const id = imageIdOfTarget(target);
  const command: OtaCommand = { name: 'upgradeEndRequest', status: result.status, ...id };
  if (result.status === 'SUCCESS') {
    return go(
      request(config, state, command, effects),
      { phase: 'ending', status: 'downloadComplete', attempts: 0, heldReaction: reaction },
      'image verified',
      effects,
    );
  }
  state = notifyHub(state, command, effects);
  effects.push({ type: 'discardImage' });
  pollLater(config, effects);
  const status: ImageUpgradeStatusName = result.status === 'REQUIRE_MORE_IMAGE' ? 'waitForMore' : 'normal';
  return go(
    state,
    {
      phase: 'failed',
      status,
      target: undefined,
      fileOffset: 0,
      outstanding: undefined,
      outcome: `${result.status}: ${result.reason}`,
    },
    `image refused: ${result.reason}`,
    effects,
  );
}

function onEndResponse(
  config: ClientConfig,
  state: ClientState,
  command: Extract<OtaCommand, { name: 'upgradeEndResponse' }>,
  effects: ClientEffect[],
): ClientState {
  const target = state.target;
  if (!target || (!sameImage(command, target) && !isWildcard(command))) return state;
  effects.push({ type: 'cancelTimer', timer: 'response' });
  if (config.profile.gbcsActivation) {
    return go(
      state,
      { phase: 'waiting', status: 'waitingToUpgradeViaExternalEvent', outstanding: undefined },
      'image held; activation needs a GBCS CS06 command',
      effects,
    );
  }
  if (command.upgradeTime === 'wait') {
    // Should the hub's later Upgrade End Response be lost, the device asks again.
    effects.push({ type: 'setTimer', timer: 'endRetry', delayUs: WAIT_RETRY_US });
    return go(
      state,
      { phase: 'waiting', status: 'waitingToUpgrade', outstanding: undefined },
      'hub said wait for a later Upgrade End Response',
      effects,
    );
  }
  effects.push({ type: 'cancelTimer', timer: 'endRetry' });
  const delayS = command.upgradeTime - command.currentTime;
  if (delayS <= 0) return activate(config, state, effects, 'upgrade time reached');
  effects.push({ type: 'setTimer', timer: 'upgrade', delayUs: delayS * S });
  return go(
    state,
    { phase: 'countDown', status: 'countDown', outstanding: undefined },
    `upgrade in ${delayS} s`,
    effects,
  );
}

/** A device told to wait repeats its successful Upgrade End Request (ZCL r8 §11.13.9.6). */
function askAgainWhenToUpgrade(state: ClientState, effects: ClientEffect[]): ClientState {
  const target = state.target as TargetImage;
  const command: OtaCommand = {
    name: 'upgradeEndRequest',
    status: 'SUCCESS',
    ...imageIdOfTarget(target),
  };
  effects.push({ type: 'setTimer', timer: 'endRetry', delayUs: WAIT_RETRY_US });
  return notifyHub(state, command, effects);
}

function isWildcard(id: ImageId): boolean {
  return (
    id.manufacturerCode === OTA_WILDCARD.manufacturerCode &&
    id.imageType === OTA_WILDCARD.imageType &&
    id.fileVersion === OTA_WILDCARD.fileVersion
  );
}

function activate(
  config: ClientConfig,
  state: ClientState,
  effects: ClientEffect[],
  reason: string,
): ClientState {
  const target = state.target as TargetImage;
  const reaction = state.heldReaction;
  // Running the new image or back on the old, it goes on asking for the next one.
  pollLater(config, effects);
  if (reaction?.kind === 'refuse') {
    // The new firmware refused to run and the device rebooted into the one it ran: the image is
    // gone, and offered again it is declined rather than fetched and refused every poll.
    effects.push({ type: 'firmwareRefused', fileVersion: target.fileVersion }, { type: 'discardImage' });
    return go(
      state,
      {
        phase: 'failed',
        status: 'normal',
        target: undefined,
        fileOffset: 0,
        outstanding: undefined,
        heldReaction: undefined,
        refusedImage: imageIdOfTarget(target),
        outcome: `firmware ${hexVersion(target.fileVersion)} refused to run on ${hexVersion(state.runningVersion)}`,
      },
      `${reason}: firmware ${hexVersion(target.fileVersion)} refused to run, still running ${hexVersion(state.runningVersion)}`,
      effects,
    );
  }
  effects.push({ type: 'activate', fileVersion: target.fileVersion, ...(reaction && { reaction }) });
  return go(
    state,
    {
      phase: 'upgraded',
      status: 'normal',
      runningVersion: target.fileVersion,
      outstanding: undefined,
      aborts: 0,
      outcome: undefined,
      heldReaction: undefined,
    },
    `${reason}: running ${hexVersion(target.fileVersion)}${reaction ? ` (${reaction.kind === 'brick' ? 'bricked' : 'degraded'}: lost ${reaction.functions.join(', ')})` : ''}`,
    effects,
  );
}

/**
 * An Image Notify. Addressed to the device, it is answered with a query at once, whatever it says
 * (ZCL r8 §11.13.3.4; Silicon Labs' client: "Spec says to always respond to unicasts regardless of
 * the parameters"). Broadcast, it is answered only when it names this device's manufacturer and
 * image type, not the version it runs, and the device's draw of 1..100 is at most the query jitter;
 * the query then follows a random delay, so that devices do not all answer at once.
 */
function onNotify(
  config: ClientConfig,
  state: ClientState,
  command: Extract<OtaCommand, { name: 'imageNotify' }>,
  broadcast: boolean,
  ctx: ClientContext,
  effects: ClientEffect[],
): ClientState {
  if (!atRest(state)) return state;
  if (!broadcast) return query(config, answeringNotify(state, effects), effects, 'image notify (unicast)');
  if (
    command.manufacturerCode !== undefined &&
    command.manufacturerCode !== OTA_WILDCARD.manufacturerCode &&
    command.manufacturerCode !== config.manufacturerCode
  )
    return state;
  if (
    command.imageType !== undefined &&
    command.imageType !== OTA_WILDCARD.imageType &&
    command.imageType !== config.imageType
  )
    return state;
  if (command.fileVersion !== undefined && command.fileVersion === state.runningVersion) return state;
  // ZCL §11.13.3.4: the client answers when its random 1..100 is at most the query jitter.
  if (ctx.rng.int(1, QUERY_JITTER_RANGE) > command.queryJitter) return state;
  effects.push({
    type: 'setTimer',
    timer: 'query',
    delayUs: ctx.rng.int(0, config.profile.queryJitterMs) * MS,
  });
  return answeringNotify(state, effects);
}

/** A device that answers an Image Notify: out of `failed`, with its count of aborts reset. */
function answeringNotify(state: ClientState, effects: ClientEffect[]): ClientState {
  return state.phase === 'failed' ? go(state, { phase: 'idle', aborts: 0 }, 'image notify', effects) : state;
}

/** Whether the device rests between upgrades (idle, upgraded or failed): it polls, and answers notifies. */
function atRest(state: ClientState): boolean {
  return isRestPhase(state.phase);
}

/** A step's result (a plain function: closures in the step cost a call per event). */
function stepResult(effects: readonly ClientEffect[], state: ClientState): ClientStep {
  return { state, effects };
}

/** One step of the client. */
export function stepClient(
  config: ClientConfig,
  state: ClientState,
  event: ClientEvent,
  ctx: ClientContext,
): ClientStep {
  const effects: ClientEffect[] = [];
  if (event.type === 'powerLoss') {
    for (const timer of ['response', 'query', 'nextBlock', 'upgrade'] as const)
      effects.push({ type: 'cancelTimer', timer });
    return stepResult(
      effects,
      go(
        state,
        { phase: 'off', status: 'normal', outstanding: undefined, attempts: 0 },
        'power lost',
        effects,
      ),
    );
  }
  if (state.phase === 'off') {
    if (event.type !== 'powerOn') return stepResult(effects, state);
    const restored = go(
      state,
      {
        // Back to the phase it rested in: a device that upgraded still says so after a reboot.
        phase: state.rest,
        status: 'normal',
        runningVersion: event.runningVersion,
        target: event.saved?.target,
        fileOffset: event.saved?.fileOffset ?? 0,
      },
      event.saved
        ? `power on with ${event.saved.fileOffset} bytes of ${hexVersion(event.saved.target.fileVersion)} saved`
        : 'power on',
      effects,
    );
    const saved = event.saved;
    if (
      saved &&
      saved.fileOffset >= saved.target.imageSize &&
      saved.target.fileVersion !== event.runningVersion
    ) {
      // A whole image in storage outlives the power loss: the device checks it again as it starts
      // and goes on from there (a GBCS device holds it for CS06 again), rather than asking the hub,
      // whose distribution may have ended since, and forgetting it.
      effects.push({ type: 'checkImage', atBoot: true });
      return stepResult(
        effects,
        go(
          restored,
          { phase: 'checking', status: 'downloadInProgress', outstanding: undefined },
          'whole image held at power on: checking it again',
          effects,
        ),
      );
    }
    return stepResult(effects, query(config, restored, effects, 're-query after power on'));
  }
  switch (event.type) {
    case 'start':
      return stepResult(effects, atRest(state) ? query(config, state, effects, 'start') : state);
    case 'powerOn':
      return stepResult(effects, state);
    case 'activateHeld':
      if (!config.profile.gbcsActivation || !holdsVerifiedImage(state)) return stepResult(effects, state);
      // Activated before the Upgrade End Response came: that exchange is over.
      if (state.phase === 'ending') effects.push({ type: 'cancelTimer', timer: 'response' });
      return stepResult(effects, activate(config, state, effects, event.reason));
    case 'checked':
      return stepResult(
        effects,
        state.phase === 'checking' ? onChecked(config, state, event, effects) : state,
      );
    case 'timer':
      return stepResult(effects, onTimer(config, state, event.timer, effects));
    case 'frame':
      return stepResult(effects, onFrame(config, state, event, ctx, effects));
    case 'blocks':
      return stepResult(effects, onBlocks(config, state, event, effects));
  }
}

/** A frame from the hub. Answers must echo the sequence number of the request they answer. */
function onFrame(
  config: ClientConfig,
  state: ClientState,
  event: Extract<ClientEvent, { type: 'frame' }>,
  ctx: ClientContext,
  effects: ClientEffect[],
): ClientState {
  const c = event.command;
  if (c.name === 'imageNotify') return onNotify(config, state, c, event.broadcast === true, ctx, effects);
  const answersRequest = event.transactionSequence === state.tsn && state.outstanding !== undefined;
  if (c.name === 'queryNextImageResponse') {
    return state.phase === 'querying' && answersRequest ? onQueryResponse(config, state, c, effects) : state;
  }
  if (c.name === 'imageBlockResponse') {
    return state.phase === 'downloading' && answersRequest
      ? onBlockResponse(config, state, c, effects)
      : state;
  }
  // In `waiting` the hub's release comes unsolicited, with a sequence number of its own.
  if (
    c.name === 'upgradeEndResponse' &&
    ((state.phase === 'ending' && answersRequest) || state.phase === 'waiting')
  ) {
    return onEndResponse(config, state, c, effects);
  }
  return state;
}

function onTimer(
  config: ClientConfig,
  state: ClientState,
  timer: ClientTimer,
  effects: ClientEffect[],
): ClientState {
  if (timer === 'query') return atRest(state) ? query(config, state, effects, 'query timer') : state;
  if (timer === 'nextBlock')
    return state.phase === 'downloading' ? nextRequest(config, state, effects) : state;
  if (timer === 'upgrade')
    return state.phase === 'countDown' ? activate(config, state, effects, 'upgrade time reached') : state;
  if (timer === 'endRetry') return state.phase === 'waiting' ? askAgainWhenToUpgrade(state, effects) : state;
  // The response timer: resend, or give up after too many unanswered requests.
  if (!state.outstanding) return state;
  const attempts = state.attempts + 1;
  if (attempts > config.profile.maxRetries && state.phase === 'ending')
    return endUnanswered(config, state, effects, attempts);
  if (attempts > config.profile.maxRetries && state.phase === 'querying') {
    // An unanswered query is no aborted download: back to rest, to ask again at the next poll.
    pollLater(config, effects);
    return go(
      state,
      { phase: state.rest, attempts: 0, outstanding: undefined, outcome: `no answer to ${attempts} queries` },
      `no answer to ${attempts} queries (1 + ${config.profile.maxRetries} retries)`,
      effects,
    );
  }
  if (attempts > config.profile.maxRetries) {
    let next = state;
    if (state.phase === 'downloading' || state.phase === 'ending') {
      const target = state.target as TargetImage;
      next = notifyHub(
        state,
        {
          name: 'upgradeEndRequest',
          status: 'ABORT',
          ...imageIdOfTarget(target),
        },
        effects,
      );
    }
    return abort(
      config,
      next,
      effects,
      `no answer to ${attempts} requests (1 + ${config.profile.maxRetries} retries)`,
      true,
    );
  }
  // A page not complete in time: the blocks it still lacks are asked for one by one (Silicon Labs'
  // client), a page again once they have come.
  if (state.outstanding.name === 'imagePageRequest')
    return blockRequest(config, withState(state, { attempts, pageEnd: undefined }), effects);
  // A retransmission keeps the transaction sequence number: a late answer to either copy counts.
  effects.push(
    { type: 'send', command: state.outstanding, transactionSequence: state.tsn },
    { type: 'setTimer', timer: 'response', delayUs: config.profile.responseTimeoutMs * MS },
  );
  return withState(state, { attempts });
}

/**
 * The verified image's Upgrade End Requests all went unanswered. As Silicon Labs' OTA client does
 * once `UPGRADE_WAIT_THRESHOLD` requests are unanswered (ota-client.c, `askServerToRunUpgrade`): a
 * device the hub activates applies the image anyway (its `UPGRADE_AFTER_TIMEOUT` policy); a GBCS
 * device, whose activation is out of band (CS06), keeps the image and waits for the command.
 */
function endUnanswered(
  config: ClientConfig,
  state: ClientState,
  effects: ClientEffect[],
  attempts: number,
): ClientState {
  const why = `no Upgrade End Response to ${attempts} requests`;
  if (!config.profile.gbcsActivation) return activate(config, state, effects, `${why}: applied anyway`);
  return go(
    state,
    { phase: 'waiting', status: 'waitingToUpgradeViaExternalEvent', outstanding: undefined, attempts: 0 },
    `${why}: image held; activation needs a GBCS CS06 command`,
    effects,
  );
}

function hexVersion(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/** The ImageUpgradeStatus attribute value of a state. */
export function imageUpgradeStatusValue(state: ClientState): number {
  return IMAGE_UPGRADE_STATUS[state.status];
}
