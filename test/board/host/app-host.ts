/**
 * A minimal MCP Apps host for the browser tests (never shipped): it frames dist/board/app.html in a sandboxed
 * iframe (an opaque origin, as real hosts do), speaks the host side of the bridge with ext-apps' own AppBridge,
 * and forwards the app's tool calls to the scripted server. A test drives it through `window.testHost`.
 */
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

declare global {
  interface Window {
    testHost: {
      initialized: boolean;
      calls: { name: string; arguments: Record<string, unknown> }[];
      toolInput(args: Record<string, unknown>): Promise<void>;
      toolResult(structuredContent: Record<string, unknown>): Promise<void>;
      theme(theme: 'light' | 'dark'): Promise<void> | void;
    };
  }
}

const frame = document.getElementById('app') as HTMLIFrameElement;
const target = frame.contentWindow!;
const bridge = new AppBridge(
  null,
  { name: 'baton-test-host', version: '1.0.0' },
  { serverTools: {}, logging: {} },
  { hostContext: { theme: 'light', displayMode: 'inline' } },
);
const calls: Window['testHost']['calls'] = [];
bridge.oncalltool = async (params) => {
  calls.push({ name: params.name, arguments: params.arguments ?? {} });
  const response = await fetch('/host/call', { method: 'POST', body: JSON.stringify(params) });
  return response.json();
};
window.testHost = {
  initialized: false,
  calls,
  toolInput: (args) => bridge.sendToolInput({ arguments: args }),
  toolResult: (structuredContent) =>
    bridge.sendToolResult({ content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent }),
  theme: (theme) => bridge.sendHostContextChange({ theme }),
};
bridge.oninitialized = () => {
  window.testHost.initialized = true;
};
void bridge.connect(new PostMessageTransport(target, target)).then(() => {
  frame.src = '/app.html';
});
