import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import type { ImageSummary } from './engine.js';
import { dockerError, labelFilter, statusOf } from './engine-errors.js';
import { normalizeTag } from './flavor.js';

// What the engine stores rather than runs: images (built, tagged, listed, removed) and named volumes. Kept apart from
// container lifecycle because nothing here touches a running sandbox or the limits gate; DockerodeEngine delegates.

/** An image's tags, labels, size and declared VOLUMEs; undefined when the engine has no such image. */
export async function inspectImage(docker: Docker, ref: string): Promise<ImageSummary | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return {
      id: info.Id,
      tags: (info.RepoTags ?? []).map(normalizeTag),
      labels: info.Config?.Labels ?? {},
      volumes: Object.keys((info.Config as { Volumes?: Record<string, unknown> | null } | undefined)?.Volumes ?? {}),
      size: info.Size,
      created: Date.parse(info.Created),
    };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw dockerError(err, 'inspect an image');
  }
}

/** mcpgw's images that carry every one of `labels`. */
export async function listImages(docker: Docker, labels: Record<string, string> = {}): Promise<ImageSummary[]> {
  try {
    // Podman 4.3 answers no image at all to two or more label filters (containers are fine), so the engine filters
    // by the managed label alone and the other labels are checked here.
    const list = await docker.listImages({ filters: labelFilter({}) });
    const wanted = Object.entries(labels);
    return list
      .filter((i) => wanted.every(([k, v]) => i.Labels?.[k] === v))
      .map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).map(normalizeTag),
        labels: i.Labels ?? {},
        size: i.Size,
        created: i.Created * 1000,
      }));
  } catch (err) {
    throw dockerError(err, 'list images');
  }
}

/** Builds `context` (a tar) as `tag`, handing each progress line to `onLine`; a failed step rejects with its error. */
export async function buildImage(
  docker: Docker,
  context: Readable,
  tag: string,
  labels: Record<string, string>,
  onLine: (line: string) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(context, { t: tag, labels, rm: true, forcerm: true });
  } catch (err) {
    throw dockerError(err, 'build an image');
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: Array<{ error?: string }>) => {
        const failed = err ?? output.find((o) => o.error);
        if (failed)
          reject(
            new McpgwError('image_build_failed', `building ${tag} failed: ${'error' in failed ? failed.error : (failed as Error).message}`),
          );
        else resolve();
      },
      (event: { stream?: string; status?: string; error?: string }) => {
        const text = (event.stream ?? event.status ?? event.error ?? '').trimEnd();
        if (text) onLine(text);
      },
    );
  });
}

/** Adds a tag (`repo:tag`) to an existing image. */
export async function tagImage(docker: Docker, ref: string, tag: string): Promise<void> {
  const colon = tag.lastIndexOf(':');
  try {
    await docker.getImage(ref).tag({ repo: tag.slice(0, colon), tag: tag.slice(colon + 1) });
  } catch (err) {
    throw dockerError(err, 'tag an image');
  }
}

/** Force-removes an image; one that is already gone is not an error. */
export async function removeImage(docker: Docker, ref: string): Promise<void> {
  try {
    await docker.getImage(ref).remove({ force: true });
  } catch (err) {
    if (statusOf(err) !== 404) throw dockerError(err, 'remove an image');
  }
}

/** Creates a named volume if it does not exist (an engine-managed volume, not a host directory). */
export async function ensureVolume(docker: Docker, name: string, labels: Record<string, string>): Promise<void> {
  try {
    await docker.getVolume(name).inspect();
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw dockerError(err, 'inspect a volume');
  }
  try {
    // Creating a volume that a concurrent build just created returns the existing one: no race to lose.
    await docker.createVolume({ Name: name, Labels: labels });
  } catch (err) {
    throw dockerError(err, 'create a volume');
  }
}

/** Removes a named volume; one that is already gone is not an error. */
export async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove({ force: true });
  } catch (err) {
    if (statusOf(err) !== 404) throw dockerError(err, 'remove a volume');
  }
}
