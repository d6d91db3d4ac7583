/** Entry of dist/board/board.html: the board served by `baton serve --http` and `baton board`. */
import { render } from 'preact';
import { HttpSource } from './source/http-source.js';
import { BoardApp } from './view/board-app.js';

const root = document.getElementById('board');
if (root) render(<BoardApp source={new HttpSource()} />, root);
