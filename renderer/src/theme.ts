import { createTheme, Drawer, Modal } from '@mantine/core';

const closeButtonProps = { 'aria-label': 'Close' };

export const theme = createTheme({
  primaryColor: 'indigo',
  components: {
    // Mantine's close buttons have an icon and no name; screen readers and tests need one.
    Modal: Modal.extend({ defaultProps: { closeButtonProps } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps } }),
  },
});
