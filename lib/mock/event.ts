// The router manager's notification event, as the platform provides it. POSIX: an eventfd
// whose number travels as the HANDLE value; Windows: a real auto-reset event.
// Waiting never blocks the JS thread, and watching it never keeps the process alive: a test
// that ends without closing its router must still let the process exit.
import { isMainThread } from 'node:worker_threads';
import koffi, { type KoffiFunction } from '../koffi.js';

export interface NotificationEvent {
  /** The value passed as HANDLE to StartProtocol. */
  readonly handle: number;
  /** Resolves true when signalled (and resets it), false after timeoutMs (thread pool). */
  wait(timeoutMs: number): Promise<boolean>;
  /**
   * Calls onSignal after each signal (the signal is reset first) until the returned function
   * is called. Holds no reference on the event loop.
   */
  watch(onSignal: () => void): () => void;
  close(): void;
}

/** watch() from wait(): short waits on the thread pool, the next one scheduled unref'd. */
function watchByWaiting(event: NotificationEvent, onSignal: () => void): () => void {
  let on = true;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    // Each wait holds the loop for at most 100 ms; between waits nothing does.
    event.wait(100).then((signalled) => {
      if (!on) return;
      if (signalled) onSignal();
      timer = setTimeout(next, 0).unref();
    }, () => undefined);
  };
  next();
  return () => {
    on = false;
    if (timer) clearTimeout(timer);
  };
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
  watch(onSignal: () => void): () => void {
    // A worker thread may be terminated with the handle open, and koffi's poll handle does not
    // survive that (its close callback runs after koffi's state is gone): short waits there.
    if (!isMainThread) return watchByWaiting(this, onSignal);
    // A libuv poll handle on the eventfd: no thread-pool thread, unref'd.
    const poll = koffi.node.poll(this.handle, { readable: true }, () => {
      if (this.closed) return;
      this.c.read(this.handle, Buffer.alloc(8), 8);
      onSignal();
    });
    poll.unref();
    return () => poll.close();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.c.close(this.handle);
  }
}

// ---- Windows: CreateEventW / WaitForSingleObject / CloseHandle --------------------------

interface Kernel32 {
  CreateEventW: KoffiFunction;
  WaitForSingleObject: KoffiFunction;
  CloseHandle: KoffiFunction;
  GetLastError: KoffiFunction;
}
let kernel32: Kernel32 | undefined;

function loadKernel32(): Kernel32 {
  if (kernel32) return kernel32;
  const lib = koffi.load('kernel32.dll');
  // HANDLE as intptr_t: koffi hands it back as a number, which is what StartProtocol takes.
  kernel32 = {
    CreateEventW: lib.func('intptr_t __stdcall CreateEventW(void *lpEventAttributes, int bManualReset, int bInitialState, const char16_t *lpName)'),
    WaitForSingleObject: lib.func('uint32_t __stdcall WaitForSingleObject(intptr_t hHandle, uint32_t dwMilliseconds)'),
    CloseHandle: lib.func('int __stdcall CloseHandle(intptr_t hObject)'),
    GetLastError: lib.func('uint32_t __stdcall GetLastError(void)'),
  };
  return kernel32;
}

const WAIT_OBJECT_0 = 0;

class Win32Event implements NotificationEvent {
  readonly handle: number;
  private closed = false;
  constructor(private readonly k: Kernel32) {
    const h = k.CreateEventW(null, 0, 0, null) as number | bigint; // auto-reset: a wait consumes the signal
    if (!h) throw new Error(`CreateEventW failed (error ${k.GetLastError()})`);
    this.handle = Number(h);
  }
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve(false);
      this.k.WaitForSingleObject.async(this.handle, Math.max(0, Math.floor(timeoutMs)), (err: unknown, r: number) => {
        if (err) return reject(err);
        resolve(r === WAIT_OBJECT_0 && !this.closed);
      });
    });
  }
  watch(onSignal: () => void): () => void {
    return watchByWaiting(this, onSignal);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.k.CloseHandle(this.handle);
  }
}

export function createNotificationEvent(): NotificationEvent {
  if (process.platform === 'win32') return new Win32Event(loadKernel32());
  return new EventFd(loadLibc());
}
