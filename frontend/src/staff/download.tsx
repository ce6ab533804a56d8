import { useEffect, useMemo, type ReactNode } from "react";

/**
 * A link that saves `content` as a file. `path` is where the file belongs in the round's published directory
 * (shown to the committee, and kept in data-path for scripts that publish what they download).
 */
export function Download({
  name,
  content,
  path,
  type = "application/json",
  children,
}: {
  name: string;
  content: string;
  path?: string;
  type?: string;
  children?: ReactNode;
}): ReactNode {
  const url = useMemo(() => URL.createObjectURL(new Blob([content], { type })), [content, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <a className="download" href={url} download={name} data-path={path ?? name}>
      {children ?? path ?? name}
    </a>
  );
}
