/**
 * Entry of dist/board/app.html: the board as an MCP App (`ui://baton/board.html`), inside a host that renders
 * MCP Apps. The host's theme and style variables are applied so the board looks at home in its chat.
 */
import { App, applyDocumentTheme, applyHostStyleVariables } from '@modelcontextprotocol/ext-apps';
import { render } from 'preact';
import { AppSource } from './source/app-source.js';
import { BoardApp } from './view/board-app.js';

declare const BATON_VERSION: string;

const app = new App({ name: 'baton-board', version: BATON_VERSION }, {}, { autoResize: true });
const applyContext = (context: ReturnType<App['getHostContext']>) => {
  if (context?.theme) applyDocumentTheme(context.theme);
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
};
app.onhostcontextchanged = applyContext;

const root = document.getElementById('board');
if (root) {
  document.documentElement.dataset.mode = 'app';
  const source = new AppSource(app, { onConnected: () => applyContext(app.getHostContext()) });
  render(<BoardApp source={source} />, root);
}
