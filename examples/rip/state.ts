// RFC 2082 sequence numbers that survive a restart. A receiver (BIRD does) drops keyed-MD5
// packets whose sequence number is lower than the last one it accepted from the neighbour,
// so a restarted router must continue above every number it ever sent.
//
// The file holds a reservation: the number up to which values may have been used. It is
// written (atomically: temp file + rename) before a value beyond the reservation is handed
// out, one block at a time, so a crash loses at most a block of numbers, never reuses one.
// The Unix time in seconds is a floor as well (BIRD does the same), which covers a lost file
// on a machine whose clock does not go back.
import fs from 'node:fs';
import path from 'node:path';

export const RESERVATION_BLOCK = 1000;
const MAX = 0xffffffff;

export interface SequenceStore {
  next(): number;
  /** The last number handed out (0 before the first). */
  readonly current: number;
  /** Writes the exact position (clean stop). */
  close(): void;
}

export class PersistentSequence implements SequenceStore {
  private value: number;
  private reserved: number;
  readonly file: string;

  constructor(directory: string, name: string, private readonly unixSeconds: () => number = () => Math.floor(Date.now() / 1000)) {
    this.file = path.join(directory, `${name}.authseq.json`);
    let stored = 0;
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { next?: unknown };
      if (typeof parsed.next === 'number' && Number.isInteger(parsed.next) && parsed.next >= 0) stored = parsed.next;
    } catch {
      // No file yet (first start) or an unreadable one: the time floor still applies.
    }
    this.value = Math.max(stored, this.unixSeconds()) - 1;
    this.reserved = this.value;
  }

  get current(): number {
    return Math.max(0, this.value);
  }

  next(): number {
    if (this.value >= MAX) this.value = 0; // 2^32 wraps (RFC 2082 allows it); not in this century
    this.value++;
    if (this.value > this.reserved) {
      this.reserved = Math.min(MAX, this.value + RESERVATION_BLOCK);
      this.write(this.reserved + 1);
    }
    return this.value;
  }

  close(): void {
    this.write(this.value + 1);
    this.reserved = this.value;
  }

  private write(next: number): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ next }) + '\n', { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // A read-only directory must not stop routing; the time floor keeps numbers increasing.
    }
  }
}

/** Counts from `start`; for tests and for interfaces without keyed MD5. */
export class MemorySequence implements SequenceStore {
  constructor(private value = 0) {}
  get current(): number {
    return this.value;
  }
  next(): number {
    return ++this.value;
  }
  close(): void {}
}
