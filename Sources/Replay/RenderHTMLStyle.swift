/// The HTML report's stylesheet, inlined in the page so it opens offline.
/// System font stacks only (no web fonts); print-friendly; colors match the
/// SVG charts (grey = before, blue = after, amber = changed).
enum RenderHTMLStyle {
    static let css = """
    :root { --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #ffffff; --soft: #f5f7fa;
      --before: #9aa5b1; --after: #2f6fdf; --changed: #e8a317; --bad: #c92a2a; --ok: #2b8a3e; --warn: #b7791f; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--soft); color: var(--fg);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 40px; background: var(--bg); min-height: 100vh; }
    h1 { font-size: 22px; margin: 0 0 8px; }
    h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    code { font: 12.5px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; word-break: break-all; }
    .verdict { font-size: 16px; font-weight: 600; margin: 6px 0 12px; padding: 10px 14px; border-radius: 6px; border-left: 5px solid; }
    .verdict.ok { border-color: var(--ok); background: #ebfbee; }
    .verdict.warn { border-color: var(--warn); background: #fff9db; }
    .verdict.bad { border-color: var(--bad); background: #fff5f5; }
    .warning { padding: 8px 12px; border: 1px solid #f0c36d; background: #fff8e1; border-radius: 6px; }
    dl.input { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: var(--muted); }
    dl.input dt { font-weight: 600; }
    dl.input dd { margin: 0; word-break: break-all; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-top: 18px; }
    .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; border-top: 4px solid var(--line); }
    .card.ok { border-top-color: var(--ok); }
    .card.warn { border-top-color: var(--changed); }
    .card.bad { border-top-color: var(--bad); }
    .card .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
    .card .label { font-weight: 600; }
    .card .detail { color: var(--muted); font-size: 12px; min-height: 1em; }
    figure { margin: 10px 0 16px; }
    figcaption { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; margin-bottom: 2px; }
    svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
    svg .label { fill: var(--fg); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; }
    svg .value, svg .axis { fill: var(--muted); font-variant-numeric: tabular-nums; }
    svg .track { fill: var(--soft); }
    svg .before { fill: var(--before); }
    svg .after { fill: var(--after); }
    svg .observed { stroke: #102a43; stroke-width: 2; }
    svg .changed { fill: var(--changed); }
    svg .slot { fill: transparent; }
    svg .slot:hover { fill: var(--soft); }
    svg .category { fill: #5f5fc4; }
    svg .grid { stroke: var(--line); }
    svg .baseline { stroke: var(--muted); }
    svg .marker { stroke: var(--bad); stroke-dasharray: 4 3; }
    .legend { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
    .swatch { display: inline-block; width: 12px; height: 12px; margin: 0 5px 0 14px; vertical-align: -2px; border-radius: 2px; }
    .swatch:first-child { margin-left: 0; }
    .swatch.before { background: var(--before); }
    .swatch.after { background: var(--after); }
    .swatch.tick { width: 3px; background: #102a43; }
    .note { color: var(--muted); margin: 0 0 6px; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: var(--soft); font-weight: 600; font-size: 12.5px; }
    td code { word-break: normal; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tbody tr:hover { background: #f8fafc; }
    details { margin: 8px 0; }
    summary { cursor: pointer; font-weight: 600; }
    ul { padding-left: 20px; }
    footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
    @media print { body { background: #fff; } main { padding: 0; } details { display: block; } }

    """
}
