/**
 * The contest's content in the browser: photos made smaller with a canvas before they leave the phone, uploads to
 * the resident services' content store under the hash of their exact bytes, and reads that check what came back
 * against the hash asked for (a changed file is never shown as the resident's text).
 */
import { keccak256 } from "viem";

/** The longest side of an uploaded photo, in pixels, and its JPEG quality: a few hundred kilobytes a photo. */
export const PHOTO_SIDE = 1600;
export const PHOTO_QUALITY = 0.85;

export class ContentRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The place on OpenStreetMap's own site, with a pin: the page carries no map of its own (no tiles are fetched from a
 * third party unless the resident opens the link).
 */
export function mapUrl(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

export function contentUrl(services: string, hash: string): string {
  return `${services.replace(/\/$/, "")}/content/${hash}`;
}

/** Stores bytes in the content store; resolves with their hash once they are there. */
export async function uploadContent(services: string, bytes: Uint8Array, type: string): Promise<`0x${string}`> {
  const hash = keccak256(bytes);
  const response = await fetch(`${services.replace(/\/$/, "")}/content?hash=${hash}`, {
    method: "POST",
    headers: { "content-type": type },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { code?: string; error?: string; field?: string };
    throw new ContentRefusal(
      response.status,
      body.code ?? "unknown",
      body.error ?? `HTTP ${response.status}`,
      body.field,
    );
  }
  return hash;
}

/** The bytes stored under `hash`, checked against it. */
export async function fetchContent(services: string, hash: string): Promise<Uint8Array> {
  const response = await fetch(contentUrl(services, hash));
  if (!response.ok) throw new ContentRefusal(response.status, "not-found", `content ${hash}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (keccak256(bytes) !== hash) throw new ContentRefusal(500, "changed", `content ${hash} does not match its name`);
  return bytes;
}

export async function fetchDocument<T>(services: string, hash: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fetchContent(services, hash))) as T;
}

export interface ResizedPhoto {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * A photo from the resident's phone as a JPEG of at most PHOTO_SIDE pixels a side. Drawing it on a canvas also
 * leaves behind what the file carried besides the picture (the camera's location, its make), and turns HEIC or a
 * huge PNG into a file the store takes.
 */
export async function resizePhoto(file: Blob): Promise<ResizedPhoto> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  try {
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2d canvas");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
    if (!blob) throw new Error("the canvas made no JPEG");
    return { bytes: new Uint8Array(await blob.arrayBuffer()), width, height };
  } finally {
    bitmap.close();
  }
}
