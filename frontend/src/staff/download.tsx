import { useEffect, useState, type ReactNode } from "react";

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
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([content], { type }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [content, type]);
  return (
    <a className="download" href={url} download={name} data-path={path ?? name}>
      {children ?? path ?? name}
    </a>
  );
}
