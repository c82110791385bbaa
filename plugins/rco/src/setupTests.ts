import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI machines are small and run Jest workers side by side: give findBy*/waitFor time to settle
// instead of failing at the default 1 s.
configure({ asyncUtilTimeout: 5000 });
