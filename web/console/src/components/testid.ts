import type { HTMLAttributes } from 'react';
import type { ButtonProps } from 'antd';

// antd props objects (a modal's OK button, a table row) have no slot for data-* attributes in their
// types, though they pass them to the DOM; the e2e test finds controls by these ids.
export const buttonTestId = (id: string): ButtonProps => ({ 'data-testid': id }) as ButtonProps;
export const rowTestId = (id: string): HTMLAttributes<HTMLElement> => ({ 'data-testid': id }) as HTMLAttributes<HTMLElement>;
