// The one piece of third-party code the leaderboard's pages use: Chart.js (MIT) with the matrix
// chart of chartjs-chart-matrix (MIT, by Chart.js' maintainer), bundled by build.mjs into
// web/assets/vendor/charts.js as a classic script that sets self.ExpoCharts. Only the operations page
// (GET /ops) loads it; the public screen draws its boards as HTML.
// Only what the page draws is registered (bars for votes per minute, the matrix for check-ins per
// booth per hour, category and linear axes, tooltips): 155 kB minified, 54 kB gzipped, against
// 210 kB for Chart.js' own all-in-one build without the matrix.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, MatrixController, MatrixElement);

self.ExpoCharts = { Chart };
