/** Small inline SVG icons (nothing is fetched at run time). Decorative: the text next to each says the same. */
import type { ComponentChildren, JSX } from 'preact';
import type { ShownStatus } from '../model/task.js';

const svg = (path: ComponentChildren, className = 'icon') => (
  <svg class={className} viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
    {path}
  </svg>
);

const STATUS_ICONS: Record<ShownStatus, () => JSX.Element> = {
  pending: () =>
    svg(
      <circle cx="8" cy="8" r="5.25" fill="none" stroke="currentColor" stroke-width="1.5" stroke-dasharray="2.5 2" />,
    ),
  in_progress: () =>
    svg(
      <>
        <circle cx="8" cy="8" r="5.25" fill="none" stroke="currentColor" stroke-opacity="0.25" stroke-width="1.75" />
        <path
          d="M8 2.75a5.25 5.25 0 0 1 5.25 5.25"
          fill="none"
          stroke="currentColor"
          stroke-width="1.75"
          stroke-linecap="round"
        />
      </>,
      'icon icon-spin',
    ),
  completed: () =>
    svg(
      <>
        <circle cx="8" cy="8" r="6" fill="currentColor" />
        <path
          d="M5.25 8.25 7.1 10l3.65-4"
          fill="none"
          stroke="var(--on-tone)"
          stroke-width="1.6"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      </>,
    ),
  failed: () =>
    svg(
      <>
        <circle cx="8" cy="8" r="6" fill="currentColor" />
        <path d="m5.75 5.75 4.5 4.5m0-4.5-4.5 4.5" stroke="var(--on-tone)" stroke-width="1.6" stroke-linecap="round" />
      </>,
    ),
  timed_out: () =>
    svg(
      <>
        <circle cx="8" cy="8.5" r="5.25" fill="none" stroke="currentColor" stroke-width="1.5" />
        <path
          d="M8 5.5v3.25l2 1.25M6.5 1.75h3"
          fill="none"
          stroke="currentColor"
          stroke-width="1.5"
          stroke-linecap="round"
        />
      </>,
    ),
  cancelled: () =>
    svg(
      <>
        <circle cx="8" cy="8" r="5.25" fill="none" stroke="currentColor" stroke-width="1.5" />
        <path d="m4.5 11.5 7-7" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
      </>,
    ),
  unknown: () => svg(<circle cx="8" cy="8" r="5.25" fill="none" stroke="currentColor" stroke-width="1.5" />),
};

export const StatusIcon = ({ status }: { status: ShownStatus }) => STATUS_ICONS[status]();

export const ChevronIcon = () =>
  svg(
    <path
      d="m6 3.5 4.5 4.5L6 12.5"
      fill="none"
      stroke="currentColor"
      stroke-width="1.75"
      stroke-linecap="round"
      stroke-linejoin="round"
    />,
    'icon chevron',
  );

export const BatonMark = () => (
  <svg class="mark" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
    <rect width="24" height="24" rx="6" fill="var(--accent)" />
    <path d="M6.5 17.5 17.5 6.5" stroke="var(--on-accent)" stroke-width="3" stroke-linecap="round" />
    <circle cx="17.5" cy="6.5" r="2.25" fill="var(--on-accent)" />
  </svg>
);
