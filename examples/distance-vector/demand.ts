// RFC 2091 reliable delivery of Update Responses on a demand circuit: one packet in flight,
// each with its sequence number, retransmitted until the neighbour's Update Acknowledge
// carries that number (BIRD does the same stop-and-wait), given up after a limit. A full table
// (the answer to an Update Request) starts with the flush flag and supersedes anything queued.
// RIPv2 and RIPng share it: both carry RFC 2091's commands 9-11 on demand interfaces.
import type { OutgoingEntry } from './table.js';
import type { Peer } from './peer.js';
import type { Clock, TimerHandle } from './timers.js';

export interface DemandPacket {
  flush: boolean;
  sequence: number;
  entries: OutgoingEntry[];
  to: Peer;
}

export interface DemandSenderOptions {
  retransmitMs: number;
  retransmitLimit: number;
}

export class DemandSender {
  private queue: Omit<DemandPacket, 'sequence'>[] = [];
  private inFlight: (DemandPacket & { tries: number; timer: TimerHandle }) | undefined;
  private seq: number;
  retransmissions = 0;
  givenUp = 0;

  constructor(
    private readonly clock: Clock,
    public options: DemandSenderOptions,
    /** Encodes and sends one Update Response (fire and forget: loss is what retransmission is for). */
    private readonly transmit: (p: DemandPacket) => void,
    private readonly onGiveUp: (p: DemandPacket) => void,
  ) {
    this.seq = Math.floor(clock.random() * 0x10000);
  }

  get busy(): boolean {
    return this.inFlight !== undefined || this.queue.length > 0;
  }

  /** The whole table (an answer to an Update Request): flush first, replaces the queue. */
  sendTable(chunks: OutgoingEntry[][], to: Peer): void {
    this.cancelInFlight();
    const parts = chunks.length ? chunks : [[]];
    this.queue = parts.map((entries, i) => ({ flush: i === 0, entries, to }));
    this.next();
  }

  /** Changed routes (a triggered update): queued behind what is in flight. */
  sendChanges(chunks: OutgoingEntry[][], to: Peer): void {
    for (const entries of chunks) if (entries.length) this.queue.push({ flush: false, entries, to });
    if (!this.inFlight) this.next();
  }

  /** An Update Acknowledge arrived; true when it matched the packet in flight. */
  ack(sequence: number): boolean {
    if (!this.inFlight || this.inFlight.sequence !== sequence) return false;
    this.cancelInFlight();
    this.next();
    return true;
  }

  stop(): void {
    this.cancelInFlight();
    this.queue = [];
  }

  private cancelInFlight(): void {
    this.inFlight?.timer.cancel();
    this.inFlight = undefined;
  }

  private next(): void {
    const p = this.queue.shift();
    if (!p) return;
    this.seq = (this.seq + 1) & 0xffff;
    const pkt = { ...p, sequence: this.seq };
    this.inFlight = { ...pkt, tries: 0, timer: this.arm() };
    this.transmit(pkt);
  }

  private arm(): TimerHandle {
    return this.clock.setTimeout(() => this.retransmit(), this.options.retransmitMs);
  }

  private retransmit(): void {
    const f = this.inFlight;
    if (!f) return;
    if (f.tries >= this.options.retransmitLimit) {
      // The neighbour is gone: drop this session (the next Update Request starts a new one).
      this.givenUp++;
      const { tries: _t, timer: _timer, ...pkt } = f;
      this.inFlight = undefined;
      this.queue = [];
      this.onGiveUp(pkt);
      return;
    }
    f.tries++;
    this.retransmissions++;
    f.timer = this.arm();
    this.transmit({ flush: f.flush, sequence: f.sequence, entries: f.entries, to: f.to });
  }
}
