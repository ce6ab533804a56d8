/**
 * The demo's pictures: one small SVG illustration per project category (./images/<category>.svg, under 2 KB each),
 * published in the round's directory and named by each demo project's metadata, so that no card is an empty block.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { CATEGORIES, type Category } from "@kopilka/core/category";

export const IMAGES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "images");

/** A category's picture as a project's metadata names it: relative to the round's published directory. */
export function categoryImageURI(category: Category | string): string {
  return `img/${category}.svg`;
}

/** Copies every category's picture into `roundDirectory`/img/. */
export async function publishCategoryImages(roundDirectory: string): Promise<void> {
  await mkdir(path.join(roundDirectory, "img"), { recursive: true });
  await Promise.all(
    CATEGORIES.map((category) =>
      copyFile(path.join(IMAGES_DIR, `${category}.svg`), path.join(roundDirectory, categoryImageURI(category))),
    ),
  );
}
