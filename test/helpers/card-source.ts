// The paging side of a dashboard CardSource over a fixed list of cards, for
// tests that start the dashboard server on a stand-in source.
import type { CardCounts, CardSource, StationCard } from '../../provisioner/dashboard/card.ts';

export function fixedPages(cards: () => StationCard[]): Pick<CardSource, 'page' | 'counts' | 'layout' | 'watch'> {
  const counts = (): CardCounts => {
    const phases: Record<string, number> = {};
    for (const card of cards()) phases[card.phase] = (phases[card.phase] ?? 0) + 1;
    return { phases, topics: {} };
  };
  return {
    page: (page, size) => {
      const all = cards();
      const pages = Math.max(1, Math.ceil(all.length / size));
      const at = Math.min(page, pages - 1);
      return { page: at, pages, total: all.length, counts: counts(), cards: all.slice(at * size, (at + 1) * size) };
    },
    counts,
    layout: () => 0,
    watch: () => () => {},
  };
}
