import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';

interface DialingModem {
  dial(options: Record<string, unknown>, callback: (err: unknown, data?: unknown) => void): void;
}

/**
 * Opens a container's attach stream (hijacked when stdin is wanted). dockerode's own attach sends its options as a
 * JSON request body too: Docker discards it, but Podman hands it to the container as the first bytes of stdin, which
 * breaks the first JSON-RPC line. So the same request is dialled with an empty body (Content-Length 0).
 */
export function dialAttach(docker: Docker, id: string, stdin: boolean): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    const request = {
      path: `/containers/${encodeURIComponent(id)}/attach?`,
      method: 'POST',
      isStream: true,
      hijack: stdin,
      openStdin: stdin,
      file: Buffer.alloc(0),
      statusCodes: { 101: true, 200: true, 404: 'no such container', 500: 'server error' },
      options: { stream: true, stdin, stdout: true, stderr: true },
    };
    (docker.modem as unknown as DialingModem).dial(request, (err, data) => (err ? reject(err) : resolve(data as Duplex)));
  });
}
