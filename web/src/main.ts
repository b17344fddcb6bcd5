// Entry point: picks the page from the path.

import './style.css';
import { showHome } from './pages/home';
import { showRoom } from './pages/room';
import { showSelfTest } from './pages/selftest';

const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
if (match) {
  void showRoom(decodeURIComponent(match[1]), new URLSearchParams(location.search));
} else if (/^\/selftest\/?$/.test(location.pathname)) {
  showSelfTest();
} else {
  showHome();
}
