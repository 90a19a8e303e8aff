// Test helpers for camera integration tests: free ports, real servers (ffmpeg MJPEG,
// GStreamer RTSP), waiting on conditions, and checking for leftover ffmpeg processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export { freePort } from '../../shared/test-support/net.ts';
import { freePort } from '../../shared/test-support/net.ts';

export const SHARED_VIDEO = fileURLToPath(new URL('../../../../shared/fixtures/video/', import.meta.url));
export const RTSP_SERVER_SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));

export function requireBinary(name: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0) {
    throw new Error(`${name} is missing: install the Debian package ${debianPackage}`);
  }
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An ffmpeg HTTP server sending vtest.avi as multipart MJPEG at 5 fps to one client. */
export function startMjpegServer(port: number, video: string): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', video, '-vf', 'fps=5', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'mpjpeg', '-listen', '1', `http://127.0.0.1:${port}/stream.mjpg`],
    { stdio: 'ignore' },
  );
}

/** GStreamer's RTSP server (python3-gi) serving an H.264 mp4 at rtsp://127.0.0.1:PORT/cam. */
export async function startRtspServer(port: number, video: string): Promise<ChildProcess> {
  const proc = spawn('/usr/bin/python3', [RTSP_SERVER_SCRIPT, String(port), video], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RTSP server did not start: ${err}`)), 10_000);
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`RTSP server exited (${code}): ${err.trim() || 'no output'}; it needs the Debian packages python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad`));
    });
  });
  return proc;
}

export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

/** Pids of ffmpeg processes whose parent is this process (live or zombie). */
export function ffmpegChildren(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[3]) === process.pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** True once the process is fully reaped (a zombie still has its /proc entry). */
export function processGone(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}
