/** A real link (keyboard, middle-click, copy address) that navigates without reloading. */
import type { ReactNode } from 'react';
import { navigate } from '../filters.js';

export function Link(props: { href: string; children: ReactNode; current?: boolean; className?: string }) {
  return (
    <a
      href={props.href}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
          return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
