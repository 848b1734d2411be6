// The router manager's notification event, as the platform provides it. POSIX: an eventfd
// whose number travels as the HANDLE value; Windows: a real auto-reset event (issue 4).
// Waiting runs on the libuv thread pool (koffi .async), never on the JS thread.
import koffi, { type KoffiFunction, type LibraryHandle, type TypeObject } from './koffi.js';

export interface NotificationEvent {
  /** The value passed as HANDLE to StartProtocol. */
  readonly handle: number;
  /** Resolves true when signalled (and resets it), false after timeoutMs. */
  wait(timeoutMs: number): Promise<boolean>;
  close(): void;
}

interface Libc {
  eventfd: KoffiFunction;
  poll: KoffiFunction;
  read: KoffiFunction;
  close: KoffiFunction;
}
let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load(process.platform === 'linux' ? 'libc.so.6' : 'libc.so');
  koffi.struct('pollfd', { fd: 'int', events: 'short', revents: 'short' });
  libc = {
    eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
    poll: lib.func('int poll(_Inout_ pollfd *fds, unsigned long nfds, int timeout)'),
    read: lib.func('long read(int fd, _Out_ uint8_t *buf, unsigned long count)'),
    close: lib.func('int close(int fd)'),
  };
  return libc;
}

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const POLLIN = 1;

class EventFd implements NotificationEvent {
  readonly handle: number;
  private closed = false;
  constructor(private readonly c: Libc) {
    this.handle = c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) as number;
    if (this.handle < 0) throw new Error('eventfd() failed');
  }
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve(false);
      const pfd = { fd: this.handle, events: POLLIN, revents: 0 };
      this.c.poll.async(pfd, 1, timeoutMs, (err: unknown, n: number) => {
        if (err) return reject(err);
        if (n > 0 && !this.closed) {
          this.c.read(this.handle, Buffer.alloc(8), 8); // resets the counter
          return resolve(true);
        }
        resolve(false);
      });
    });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.c.close(this.handle);
  }
}

export function createNotificationEvent(): NotificationEvent {
  if (process.platform === 'win32') throw new Error('Windows events: see lib/mock/event-win32 (issue 4)');
  return new EventFd(loadLibc());
}
