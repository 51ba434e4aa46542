import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import './console/console.css';
import './inspector/schema-form.css';
import { App } from './app';
import { renderCounts } from './canvas/step-node';

// Read by bench/editor to check that typing re-renders one step, not the canvas.
(window as Window & { __switchboard?: unknown }).__switchboard = { renderCounts };

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
