/** What the shell hands each console area: the path after `#/<area>/` and the query. */
export interface AreaProps {
  rest: string[];
  query: URLSearchParams;
}
